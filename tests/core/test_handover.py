"""The hand-over's protocol and address, without Qt (the server: tests/ui/test_instance.py)."""

from __future__ import annotations

import json
import sys

import pytest

from chatdesk.core.handover import (
    KINDS,
    MAX_LINE,
    OK_LINE,
    Request,
    address,
    answer_line,
    read_request,
)


@pytest.mark.parametrize(
    "argument", ["", "plain", 'q"uote\\back', "é日\n\t\x00\x7f", "😀 emoji", "\udcff", "x" * 5000]
)
def test_a_request_line_is_json_that_reads_back(argument: str) -> None:
    line = Request("link", argument).line()
    assert line.endswith(b"\n")
    assert line.count(b"\n") == 1  # one line, whatever the argument holds
    assert json.loads(line) == {"v": 1, "request": "link", "argument": argument}
    back = read_request(line[:-1])
    assert (back.kind, back.argument) == ("link", argument)


def test_answers() -> None:
    assert answer_line() == OK_LINE + b"\n"
    assert json.loads(answer_line()) == {"v": 1, "ok": True}
    assert json.loads(answer_line("no")) == {"v": 1, "ok": False, "error": "no"}


@pytest.mark.parametrize(
    "line",
    [
        b"",
        b"[]",
        b'{"v": 1}',
        b'{"v": "1", "request": "show"}',
        b'{"v": 1, "request": "rm"}',
        b'{"v": 1, "request": "show", "argument": null}',
        b"\xff",
        b" " * MAX_LINE,
    ],
)
def test_malformed_requests_are_refused(line: bytes) -> None:
    with pytest.raises(ValueError, match="the request"):
        read_request(line)


def test_every_kind_is_known() -> None:
    for kind in KINDS:
        assert read_request(Request(kind).line()[:-1]).kind == kind


def test_one_address_per_user_and_data_folder(tmp_path: object) -> None:
    env = {"CHATDESK_HOME": "/a", "XDG_RUNTIME_DIR": ""}
    first = address(None, env)
    assert first == address(None, dict(env))
    assert address(None, {**env, "CHATDESK_HOME": "/b"}) != first
    assert address("/data", env) == address(None, {**env, "CHATDESK_DATA_DIR": "/data"})
    assert address("/data", env) != first
    assert address(None, {}) != first  # the default folder
    if sys.platform != "win32":
        assert len(address(None, {"TMPDIR": "/t" + "x" * 200}).encode()) <= 100
        assert address(None, {"TMPDIR": "/tmp/mine"}).startswith("/tmp/mine/chatdesk-")
