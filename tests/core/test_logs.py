from __future__ import annotations

import contextlib
import logging
import os
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from chatdesk.core.logs import (
    RedactingFilter,
    RotatingLog,
    redact,
    register_secret,
    setup_logging,
)


def test_keys_and_authorization_are_redacted() -> None:
    text = redact('key sk-abcdefghijkl1234 Authorization: Bearer abc.def.ghi123 api_key="zzzz1234"')
    assert "abcdefghijkl1234" not in text
    assert "abc.def.ghi123" not in text
    assert "zzzz1234" not in text


def test_log_file_is_private_and_redacted(tmp_path: Path) -> None:
    path = setup_logging(tmp_path / "log")
    assert path is not None
    logging.getLogger("chatdesk.provider").warning("calling with sk-canary0123456789")
    for handler in logging.getLogger("chatdesk").handlers:
        handler.flush()
    assert path.stat().st_mode & 0o777 == 0o600
    content = path.read_text()
    assert "calling with sk-***" in content
    assert "canary0123456789" not in content


def test_a_full_log_is_set_aside_and_the_oldest_goes(tmp_path: Path) -> None:
    path = tmp_path / "chatdesk.log"
    path.touch(mode=0o600)
    handler = RotatingLog(path, max_bytes=200, kept=2)
    handler.setFormatter(logging.Formatter("%(message)s"))
    log = logging.getLogger("chatdesk.test-rotation")
    log.addHandler(handler)
    log.propagate = False
    try:
        for number in range(40):  # 40 lines of 21 bytes: four files' worth and more
            log.warning("line %02d of the log...", number)
    finally:
        log.removeHandler(handler)
        handler.close()
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["chatdesk.log", "chatdesk.log.1", "chatdesk.log.2"]
    newest, older = path.read_text(), (tmp_path / "chatdesk.log.1").read_text()
    assert newest.splitlines()[-1] == "line 39 of the log..."  # the newest lines in the file
    assert older.splitlines()[-1] < newest.splitlines()[0]  # each set aside in order
    assert all(len(f.read_bytes()) <= 200 + 21 for f in tmp_path.iterdir())
    if sys.platform != "win32":
        assert all(f.stat().st_mode & 0o777 == 0o600 for f in tmp_path.iterdir())


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="/dev/full is Linux's")
def test_a_log_the_disk_refuses_says_so_once_and_its_warnings_reach_stderr(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "chatdesk.log"
    path.touch(mode=0o600)
    handler = RotatingLog(path)
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    log = logging.getLogger("chatdesk.test-full")
    log.addHandler(handler)
    log.propagate = False
    own = handler.stream
    try:
        with _full_disk(handler):
            log.info("an ordinary line")
            log.warning("the first warning on a full disk")
            log.warning("the second")
        refused = capsys.readouterr().err
        log.info("written once there is room")
        with _full_disk(handler):
            log.warning("full again")
        again = capsys.readouterr().err
    finally:
        handler.stream = own
        log.removeHandler(handler)
        handler.close()
    assert refused.count("cannot be written (No space left on device)") == 1
    assert "WARNING the first warning on a full disk" in refused
    assert "WARNING the second" in refused
    assert "an ordinary line" not in refused  # below a warning: as when the log cannot open
    assert "Traceback" not in refused
    assert "Logging error" not in refused
    assert path.read_text() == "INFO written once there is room\n"
    assert again.count("cannot be written") == 1  # said again for a new run of refusals
    assert "WARNING full again" in again


@contextlib.contextmanager
def _full_disk(handler: RotatingLog) -> Iterator[None]:
    """The handler's writes go to /dev/full, which refuses each with ENOSPC, as a full disk
    does; its own file back after."""
    own, full = handler.stream, open("/dev/full", "w", encoding="utf-8")  # noqa: SIM115
    handler.stream = full
    try:
        yield
    finally:
        handler.stream = own
        with contextlib.suppress(OSError):  # what it still holds cannot be written either
            full.close()


def test_unwritable_log_folder_does_not_stop_chatdesk(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    assert setup_logging(blocker / "log") is None


def _filtered(record: logging.LogRecord) -> logging.LogRecord:
    RedactingFilter().filter(record)
    return record


def test_registered_secret_is_redacted_whatever_its_shape() -> None:
    register_secret("plainsecret-Qw7e9r")  # no sk- prefix, not after "api_key="
    text = redact("sent plainsecret-Qw7e9r to host; Authorization: Bearer abcdefgh1234")
    assert text == "sent [redacted] to host; Authorization: ***"  # patterns still apply


def test_short_values_are_not_registered() -> None:
    register_secret("abc1234")  # 7 characters: would redact ordinary words
    assert redact("abc1234") == "abc1234"


def test_registered_secret_is_redacted_in_args_and_exception_text() -> None:
    register_secret("zz-canary-Hk2Lm9Pq")
    try:
        raise ValueError("server echoed zz-canary-Hk2Lm9Pq back")
    except ValueError:
        exc_info = sys.exc_info()
    record = _filtered(
        logging.LogRecord(
            "chatdesk.provider",
            logging.ERROR,
            __file__,
            1,
            "key %s",
            ("zz-canary-Hk2Lm9Pq",),
            exc_info,
        )
    )
    line = logging.Formatter().format(record)
    assert "Hk2Lm9Pq" not in line
    assert "key [redacted]" in line
    assert "server echoed [redacted] back" in line


def test_registering_while_redacting_from_other_threads() -> None:
    values = [f"thread-secret-{i:04d}" for i in range(200)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(register_secret, values))
        list(pool.map(redact, values))
    assert redact(" ".join(values)) == " ".join(["[redacted]"] * len(values))
