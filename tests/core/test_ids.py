from __future__ import annotations

import time

from chatdesk.core.ids import id_time_ms, new_id


def test_ids_are_version_7_and_carry_the_time() -> None:
    before = time.time_ns() // 1_000_000
    value = new_id()
    after = time.time_ns() // 1_000_000
    assert value.version == 7
    assert before <= id_time_ms(value) <= after + 1


def test_ids_from_one_process_strictly_increase() -> None:
    ids = [new_id() for _ in range(20_000)]
    assert ids == sorted(ids)
    assert len(set(ids)) == len(ids)
