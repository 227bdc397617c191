"""Kill `chatdesk ask` with SIGKILL at random moments while it streams; nothing may be lost."""

from __future__ import annotations

import contextlib
import random
import subprocess
from pathlib import Path

import pytest

from chatdesk.core.providers.mock_text import mock_answer
from tests.e2e.cli import chatdesk, rows, started

RUNS = 24


def _kill_while_streaming(prompt: str, rng: random.Random) -> None:
    with started("ask", prompt, env={"CHATDESK_MOCK_TOKENS_PER_SECOND": "250"}) as command:
        first = command.stdout.read(1)  # the answer has started to stream
        assert first, command.said()
        with contextlib.suppress(subprocess.TimeoutExpired):
            command.wait(rng.uniform(0.0, 1.0))
        command.kill()
        command.wait(30)


@pytest.mark.slow(
    "24 real `chatdesk ask` killed at random moments, each followed by a start that recovers it"
)
def test_sigkill_during_streaming_loses_nothing(chatdesk_home: Path) -> None:
    database = chatdesk_home / "data" / "chatdesk.db"
    rng = random.Random(20261121)
    cut_short = 0
    for run in range(RUNS):
        prompt = f"crash run {run}: explain write-ahead logging"
        expected = mock_answer(prompt).text
        _kill_while_streaming(prompt, rng)

        users = rows(
            database, "SELECT thread_id FROM messages WHERE role='user' AND content=?", prompt
        )
        assert len(users) == 1, f"run {run}: the user message is missing"
        answers = rows(
            database,
            "SELECT status, content FROM messages WHERE role='assistant' AND thread_id=?",
            users[0][0],
        )
        assert len(answers) == 1, f"run {run}: expected one answer row, got {answers}"
        status, content = answers[0]
        assert expected.startswith(content), f"run {run}: saved text is not a prefix"
        if status != "complete":
            cut_short += 1

        recovery = chatdesk("threads", "list")  # any start recovers unfinished answers
        assert recovery.returncode == 0, recovery.stderr
        [(after_status, after_content)] = rows(
            database,
            "SELECT status, content FROM messages WHERE role='assistant' AND thread_id=?",
            users[0][0],
        )
        assert after_content == content
        assert after_status == ("complete" if status == "complete" else "interrupted")
        assert rows(
            database, "SELECT count(*) FROM messages WHERE status IN ('streaming', 'pending')"
        ) == [(0,)]
        assert rows(database, "PRAGMA integrity_check") == [("ok",)]
    # the test is only worth something if most kills landed mid-answer
    assert cut_short >= RUNS // 2, f"only {cut_short} of {RUNS} runs were cut short"
