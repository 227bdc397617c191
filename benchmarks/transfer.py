"""importing a 5,000-conversation ChatGPT export: throughput and peak memory.

A ChatGPT `conversations.json` of 5,000 conversations (quick: 500), generated in the shape
ChatGPT writes (tests/fixtures/chatgpt/export.py describes it): the empty root, a hidden
system message, 3 to 15 exchanges whose answers are the mock provider's (~0.8 kB of markdown),
a regenerated answer in every fifth conversation and a reasoning step (thoughts and recap) in
every seventh. About 100 MB at full size.

Each side runs in a fresh process, so peak memory is its own: `Transfer.import_file` into a
new chatdesk database (streamed, written in batches of whole threads), and the bare baseline,
`json.load` of the same file (reading it, nothing else). Lines: the whole import in ms and in
messages/s against `json.load`'s time; the peak resident memory each added above what the
process held before it started (`ru_maxrss` minus the RSS before). No target in docs/design.md §11:
informational.
"""

from __future__ import annotations

import asyncio
import json
import os
import resource
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

from benchmarks.common import INFO, report
from chatdesk.core.providers.mock_text import mock_showcase

START = 1_600_000_000.0
ANSWERS = tuple(mock_showcase(f"question {n}") for n in range(64))


def run(workdir: Path, quick: bool) -> None:
    count = 500 if quick else 5_000
    workdir.mkdir(parents=True, exist_ok=True)
    path = workdir / "conversations.json"
    messages = _write_export(path, count)
    size_mb = path.stat().st_size / 1e6
    chat = _child("import", path, workdir / "home")
    bare = _child("json", path, workdir / "home")
    assert (chat["threads"], chat["messages"]) == (count, messages), chat
    seconds = chat["seconds"]
    print(
        f"      ({count:,} conversations, {messages:,} messages, {size_mb:.0f} MB: chatdesk "
        f"{seconds:.1f} s = {count / seconds:,.0f} conversations/s, json.load "
        f"{bare['seconds']:.1f} s)"
    )
    name = f"import {count:,} conversations"
    report(name, seconds * 1000, bare["seconds"] * 1000, "ms", INFO, bare="json.load")
    rate, bare_rate = messages / seconds, messages / bare["seconds"]
    report("import, messages", rate, bare_rate, "rows/s", INFO, bare="json.load")
    report(
        "import, peak memory added", chat["peak_mb"], bare["peak_mb"], "MB", INFO, bare="json.load"
    )


# -- the export ----------------------------------------------------------------------------------


def _write_export(path: Path, count: int) -> int:
    """Write `count` conversations one at a time; return how many messages chatdesk keeps."""
    kept = 0
    with path.open("w", encoding="utf-8") as out:
        out.write("[")
        for n in range(count):
            conversation, messages = _conversation(n)
            kept += messages
            out.write(("," if n else "") + json.dumps(conversation))
        out.write("]")
    return kept


def _conversation(n: int) -> tuple[dict[str, Any], int]:
    at = START + n * 3_600
    mapping: dict[str, dict[str, Any]] = {}
    clock = [at]

    def node(parent: str | None, message: dict[str, Any] | None) -> str:
        key = str(uuid.UUID(int=len(mapping) + (n << 32)))
        mapping[key] = {"id": key, "message": message, "parent": parent, "children": []}
        if parent is not None:
            mapping[parent]["children"].append(key)
        return key

    def message(role: str, content: dict[str, Any], **metadata: Any) -> dict[str, Any]:
        clock[0] += 5
        return {
            "id": str(uuid.uuid4()),
            "author": {"role": role, "name": None, "metadata": {}},
            "create_time": clock[0],
            "update_time": None,
            "content": content,
            "status": "finished_successfully",
            "end_turn": role == "assistant",
            "weight": 1.0,
            "metadata": metadata,
            "recipient": "all",
        }

    def text(value: str) -> dict[str, Any]:
        return {"content_type": "text", "parts": [value]}

    root = node(None, None)
    parent = node(root, message("system", text(""), is_visually_hidden_from_conversation=True))
    kept = 0
    for turn in range(3 + n % 13):
        question = node(parent, message("user", text(f"Question {turn} of chat {n}?")))
        answer_parent = question
        if n % 7 == 0 and turn == 0:
            step = {"summary": "Thinking", "content": "About the question."}
            thoughts = {"content_type": "thoughts", "thoughts": [step]}
            answer_parent = node(question, message("assistant", thoughts, model_slug="o3"))
            recap = {"content_type": "reasoning_recap", "content": "Thought for 3s"}
            answer_parent = node(answer_parent, message("assistant", recap, model_slug="o3"))
        answer = ANSWERS[(n + turn) % len(ANSWERS)]
        parent = node(answer_parent, message("assistant", text(answer), model_slug="gpt-4o"))
        kept += 2
        if n % 5 == 0 and turn == 1:  # regenerated: the newer answer stays on screen
            parent = node(answer_parent, message("assistant", text(answer), model_slug="gpt-4o"))
            kept += 1
    conversation = {
        "title": f"Chat {n}",
        "create_time": at,
        "update_time": clock[0],
        "mapping": mapping,
        "current_node": parent,
        "conversation_id": str(uuid.UUID(int=n + 1)),
        "id": str(uuid.UUID(int=n + 1)),
        "default_model_slug": "gpt-4o",
        "is_archived": False,
    }
    return conversation, kept


# -- the measured processes ----------------------------------------------------------------------


def _child(mode: str, path: Path, home: Path) -> dict[str, Any]:
    environment = {**os.environ, "CHATDESK_HOME": str(home)}
    command = [sys.executable, "-m", "benchmarks.transfer", mode, str(path)]
    done = subprocess.run(command, capture_output=True, text=True, env=environment, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"the {mode} run failed:\n{done.stderr}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _start_measuring() -> float:
    """Reset the process's peak resident memory to what it holds now (Linux), return that."""
    try:
        with open("/proc/self/clear_refs", "w") as handle:
            handle.write("5")
    except OSError:
        pass  # the peak then includes start-up; the RSS before is subtracted all the same
    return _status_mb("VmRSS")


def _peak_mb() -> float:
    return _status_mb("VmHWM")


def _status_mb(field: str) -> float:
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024 / 1e6  # kB
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / 1e6


async def _import(path: Path) -> dict[str, Any]:
    from chatdesk.app import build_core
    from chatdesk.configuration import configure

    core = build_core(configure())
    await core.start()
    try:
        before = _start_measuring()
        started = time.perf_counter()
        result = await core.transfer.import_file(path)
        seconds = time.perf_counter() - started
    finally:
        await core.aclose()
    assert not result.problems, result.problems[:3]
    return {
        "seconds": seconds,
        "threads": result.threads_added,
        "messages": result.messages,
        "peak_mb": _peak_mb() - before,
    }


def _load(path: Path) -> dict[str, Any]:
    before = _start_measuring()
    started = time.perf_counter()
    with path.open(encoding="utf-8") as handle:
        data = json.load(handle)
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "conversations": len(data), "peak_mb": _peak_mb() - before}


if __name__ == "__main__":
    mode, file = sys.argv[1], Path(sys.argv[2])
    measured = asyncio.run(_import(file)) if mode == "import" else _load(file)
    print(json.dumps(measured))
