"""The retry policy's waits: they grow and stop at the cap, a server's Retry-After is waited when
within the cap, the retries end, and the jitter stays within its share (repeatably, seeded)."""

from __future__ import annotations

import random

import pytest

from chatdesk.core.retry import Backoff


def test_waits_grow_by_the_factor_and_stop_at_the_cap() -> None:
    backoff = Backoff(first=1.0, factor=2.0, cap=30.0, retries=None)
    assert [backoff.delay(n) for n in range(8)] == [1, 2, 4, 8, 16, 30, 30, 30]
    assert Backoff(0.5, 3.0, 10.0, None).delay(2) == 4.5


def test_a_worker_failing_for_days_waits_the_cap() -> None:
    backoff = Backoff(first=1.0, factor=2.0, cap=30.0, retries=None)
    assert backoff.delay(100_000) == 30.0
    assert backoff.retry_in(100_000) == 30.0  # no end of retries


def test_the_retries_end() -> None:
    backoff = Backoff(first=0.5, factor=2.0, cap=60.0, retries=2)
    assert [backoff.retry_in(n) for n in range(4)] == [0.5, 1.0, None, None]
    assert Backoff(0.5, 2.0, 60.0, retries=0).retry_in(0) is None
    assert backoff.retry_in(2, asked=1.0) is None  # nor does the server's word bring one back


def high() -> float:
    """A jitter that would show."""
    return 0.999


def test_a_servers_retry_after_is_waited_as_asked_within_the_cap() -> None:
    backoff = Backoff(first=0.5, factor=2.0, cap=60.0, retries=3, jitter=0.25)
    assert backoff.retry_in(0, asked=7.0, draw=high) == 7.0  # not spread, not our 0.5 s
    assert backoff.retry_in(2, asked=0.2, draw=high) == 0.2  # shorter than ours: still as asked
    assert backoff.retry_in(1, asked=60.0) == 60.0
    assert backoff.retry_in(0, asked=-3.0) == 0.0  # a date already past: at once


def test_a_retry_after_past_the_cap_ends_the_retries() -> None:
    backoff = Backoff(first=0.5, factor=2.0, cap=60.0, retries=3)
    assert backoff.retry_in(0, asked=60.5) is None
    assert backoff.retry_in(0, asked=3_600.0) is None


def test_jitter_spreads_each_wait_within_its_share() -> None:
    backoff = Backoff(first=1.0, factor=2.0, cap=30.0, retries=None, jitter=0.25)
    draw = random.Random(20261121).random
    for retry, base in enumerate([1.0, 2.0, 4.0, 8.0, 16.0, 30.0, 30.0]):
        waits = [backoff.delay(retry, draw=draw) for _ in range(500)]
        assert all(0.75 * base <= wait < 1.25 * base for wait in waits), retry
        assert min(waits) < 0.8 * base, retry  # really spread
        assert max(waits) > 1.2 * base, retry
    assert backoff.delay(3, draw=lambda: 0.0) == 6.0
    assert backoff.delay(3, draw=lambda: 0.5) == 8.0


def test_a_seeded_jitter_repeats() -> None:
    backoff = Backoff(first=0.5, factor=2.0, cap=60.0, retries=5, jitter=0.25)
    first = [backoff.retry_in(n, draw=random.Random(7).random) for n in range(5)]
    again = [backoff.retry_in(n, draw=random.Random(7).random) for n in range(5)]
    assert first == again
    assert first != [0.5, 1.0, 2.0, 4.0, 8.0]


@pytest.mark.parametrize(
    ("first", "factor", "cap", "retries", "jitter"),
    [
        (2.0, 2.0, 1.0, None, 0.0),  # a first wait past the cap
        (-1.0, 2.0, 1.0, None, 0.0),
        (1.0, 0.5, 10.0, None, 0.0),  # waits that shrink
        (1.0, 2.0, 10.0, None, 1.0),  # a jitter that could make a wait of nothing
        (1.0, 2.0, 10.0, -1, 0.0),
    ],
)
def test_a_policy_that_makes_no_sense_is_refused(
    first: float, factor: float, cap: float, retries: int | None, jitter: float
) -> None:
    with pytest.raises(ValueError, match="back-off"):
        Backoff(first, factor, cap, retries, jitter)
