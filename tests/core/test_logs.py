from __future__ import annotations

import logging
from pathlib import Path

from chatdesk.core.logs import redact, setup_logging


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


def test_unwritable_log_folder_does_not_stop_chatdesk(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    assert setup_logging(blocker / "log") is None
