"""The counting process: tiktoken's exact counts from a child, a GUI thread that is never held,
estimates (never an error) when the child cannot start, dies or stalls, nothing left behind.

Internet sockets are refused in this whole module (`network_attempts`): counting needs none,
and the pipes to the child are no sockets."""

from __future__ import annotations

import functools
import gc
import os
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psutil
import pytest

from chatdesk.configuration import Configuration
from chatdesk.core.assembly import assemble
from chatdesk.core.providers.base import ChatMessage, Providers
from chatdesk.core.store import Store
from chatdesk.core.tokens import (
    CL100K,
    O200K,
    CountingProcess,
    Encodings,
    MessageLike,
    TokenCounter,
    files,
    process,
)
from chatdesk.core.trust.children import Child
from tests.core import shell_keys
from tests.core.providers import ScriptedProvider
from tests.core.shell_keys import keys_in_the_shell  # noqa: F401
from tests.core.test_tokens import CORPUS, NamedMessage, network_attempts  # noqa: F401

pytestmark = pytest.mark.processes  # its tests start processes (tests/stages.py)

PLACES = (files.bundled_dir(),)
MODEL_OF = {O200K: "gpt-4o", CL100K: "gpt-4"}
GUI_GAP = 0.050  # a frame is 16 ms; the bound leaves room for a loaded CI machine
SENT = [ChatMessage("user", "Say hello in French"), ChatMessage("assistant", "Bonjour")]


@pytest.fixture(scope="module")
def reference() -> TokenCounter:
    """tiktoken in this process, from the same files."""
    encodings = Encodings(lambda: PLACES)
    for name in MODEL_OF:
        assert encodings.load(name) is not None
    return TokenCounter(encodings)


@pytest.fixture(scope="module")
def shared_child() -> Iterator[CountingProcess]:
    """One counting process for the module, both encodings loaded."""
    tokenizers = CountingProcess(lambda: PLACES)
    for name in MODEL_OF:
        assert tokenizers.load(name)
    yield tokenizers
    tokenizers.close()


@pytest.fixture
def shared(shared_child: CountingProcess) -> TokenCounter:
    return TokenCounter(shared_child)


@pytest.fixture
def child() -> Iterator[CountingProcess]:
    """A counting process of the test's own, not started yet."""
    tokenizers = CountingProcess(lambda: PLACES)
    yield tokenizers
    tokenizers.close()


@pytest.fixture
def fresh(child: CountingProcess) -> TokenCounter:
    return TokenCounter(child)


def numbered(count: int) -> list[ChatMessage]:
    """A thread of `count` messages, no two texts alike (~0.5 kB each)."""
    texts = list(CORPUS.values())
    return [
        ChatMessage("user" if n % 2 == 0 else "assistant", f"{texts[n % len(texts)]} ({n})")
        for n in range(count)
    ]


def big_texts(megabytes: float) -> list[str]:
    """Texts that take the child a while to count (tiktoken: ~30 MB/s)."""
    messages = numbered(int(megabytes * 2_000))
    return [message.content for message in messages]


def started(counter: TokenCounter, tokenizers: CountingProcess) -> int:
    """Load o200k through `counter`; the id of the child that loaded it."""
    assert counter.load("gpt-4o")
    assert tokenizers.pid is not None
    return tokenizers.pid


def gone(pid: int) -> bool:
    """Ended and waited for: not a child of this process any more, not even a zombie."""
    return pid not in {child.pid for child in psutil.Process().children()}


# -- the same counts -----------------------------------------------------------------------------


@pytest.mark.parametrize("name", MODEL_OF)
def test_counts_equal_tiktokens(shared: TokenCounter, reference: TokenCounter, name: str) -> None:
    model = MODEL_OF[name]
    texts = [*CORPUS.values(), "", "Say <|endoftext|> twice: <|endoftext|>", CORPUS["english"]]
    counted = shared.count_texts(model, texts)
    assert counted == reference.count_texts(model, texts)
    assert not any(count.estimated for count in counted)
    messages: list[MessageLike] = [*numbered(6), NamedMessage("user", "Hi there", "alice")]
    assert shared.count_messages(model, messages) == reference.count_messages(model, messages)
    assert shared.count_each(model, messages) == reference.count_each(model, messages)


@shell_keys.linux_only
@pytest.mark.usefixtures("keys_in_the_shell")
def test_the_counting_child_holds_none_of_the_users_keys_and_counts_exactly(
    reference: TokenCounter,
) -> None:
    tokenizers = CountingProcess()  # where the app looks: TIKTOKEN_CACHE_DIR first
    try:
        counter = TokenCounter(tokenizers)
        assert counter.load("gpt-4o")
        counted = counter.count_text("gpt-4o", CORPUS["english"])
        assert counted == reference.count_text("gpt-4o", CORPUS["english"])
        assert not counted.estimated
        environment = shell_keys.environment_of(tokenizers.pid)
    finally:
        tokenizers.close()
    shell_keys.assert_no_key_and_the_rest_kept(environment)
    assert environment.get("TIKTOKEN_CACHE_DIR") == os.environ.get("TIKTOKEN_CACHE_DIR")


def test_other_models_are_counted_with_o200k_and_marked_estimated(
    shared: TokenCounter, reference: TokenCounter
) -> None:
    count = shared.count_text("llama3.1:8b", CORPUS["english"])
    assert count == reference.count_text("llama3.1:8b", CORPUS["english"])
    assert count.estimated


def test_a_batch_is_counted_in_a_request_per_megabyte(
    shared: TokenCounter, reference: TokenCounter, monkeypatch: pytest.MonkeyPatch
) -> None:
    requests = spy_on_requests(monkeypatch)
    chunk = numbered(1_000)  # a chunk of the context builder's walk: ~0.5 MB
    assert shared.count_each("gpt-4o", chunk) == reference.count_each("gpt-4o", chunk)
    assert requests == ["count"]
    requests.clear()
    thread = numbered(10_000)
    megabytes = sum(len(message.content) for message in thread) // process.CHUNK_CHARS
    assert shared.count_each("gpt-4o", thread) == reference.count_each("gpt-4o", thread)
    assert 2 <= len(requests) <= megabytes + 2


def test_threads_counting_at_once_each_get_their_own_counts(
    shared: TokenCounter, reference: TokenCounter
) -> None:
    texts = [[f"{text} {n}" for text in CORPUS.values()] for n in range(4)]
    results: dict[int, list[Any]] = {n: [] for n in range(4)}
    start = threading.Barrier(4)

    def count(n: int) -> None:
        start.wait()
        for _ in range(20):
            results[n].append(shared.count_texts("gpt-4o", texts[n]))

    run_threads([functools.partial(count, n) for n in range(4)])
    for n in range(4):
        assert results[n] == [reference.count_texts("gpt-4o", texts[n])] * 20


# -- the GUI thread is not held ------------------------------------------------------------------


class Ticker:
    """A thread that wakes every 2 ms, as an idle event loop does, and keeps how long this
    process held it back: for each wait between two turns, the CPU time this process used
    meanwhile (its other threads' work, while this one could not run), up to the wait itself.

    Counting CPU time rather than the wait alone tells a thread holding the GIL (it runs while
    this one waits) from a busy machine that schedules neither (a shared CI runner)."""

    def __init__(self) -> None:
        self.held = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run)

    def _run(self) -> None:
        last, last_cpu = time.perf_counter(), time.process_time()
        while not self._stop.wait(0.002):
            now, cpu = time.perf_counter(), time.process_time()
            self.held = max(self.held, min(now - last, cpu - last_cpu))
            last, last_cpu = now, cpu

    def __enter__(self) -> Ticker:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def test_loading_and_counting_do_not_hold_the_gui_thread(
    fresh: TokenCounter, child: CountingProcess
) -> None:
    """tiktoken in this process holds the GIL for ~110–150 ms while it builds o200k (the
    benchmark `tokens` shows both); the counting process must not."""
    messages = numbered(10_000)
    # The garbage collector's full pass stops every thread (~70–200 ms over pytest's heap);
    # one falling due inside the measurement would be this process's, not the counter's. The
    # app freezes its start-up heap out of those passes (`chatdesk.app.build_core`).
    gc.collect()
    with Ticker() as gui:
        assert fresh.load("gpt-4o")
        counted = fresh.count_messages("gpt-4o", messages)
    assert not counted.estimated
    assert child.pid is not None
    assert gui.held < GUI_GAP


def test_the_child_holds_tiktoken_and_never_qt(shared_child: CountingProcess) -> None:
    assert shared_child.pid is not None
    mapped = [region.path for region in psutil.Process(shared_child.pid).memory_maps()]
    assert any("tiktoken" in path for path in mapped)  # reading the maps works
    assert not [path for path in mapped if "PySide6" in path or "Qt6" in path]


# -- failures: estimates, never an exception -----------------------------------------------------


def test_a_child_killed_between_counts_gives_estimates_then_another_child(
    fresh: TokenCounter, child: CountingProcess, reference: TokenCounter
) -> None:
    first = started(fresh, child)
    os.kill(first, signal.SIGKILL)
    assert fresh.count_text("gpt-4o", CORPUS["english"]).estimated
    assert not fresh.ready("gpt-4o")  # so the next load starts another child
    assert gone(first)
    assert fresh.load("gpt-4o")
    assert child.pid not in (None, first)
    assert fresh.count_text("gpt-4o", CORPUS["english"]) == reference.count_text(
        "gpt-4o", CORPUS["english"]
    )


def test_a_child_killed_mid_count_gives_estimates(
    fresh: TokenCounter, child: CountingProcess, monkeypatch: pytest.MonkeyPatch
) -> None:
    pid = started(fresh, child)
    asked = threading.Event()
    real_receive = Child._receive

    def waiting(self: Any, deadline: float) -> Any:
        asked.set()  # the request is with the child, which takes ~0.1 s to count it
        return real_receive(self, deadline)

    monkeypatch.setattr(Child, "_receive", waiting)
    texts = big_texts(3)
    results: list[Any] = []
    counting = threading.Thread(target=lambda: results.append(fresh.count_texts("gpt-4o", texts)))
    counting.start()
    assert asked.wait(60)
    os.kill(pid, signal.SIGKILL)
    counting.join(60)
    assert len(results[0]) == len(texts)
    assert all(count.estimated for count in results[0])
    assert gone(pid)


def test_a_child_that_does_not_answer_in_time_is_killed(
    fresh: TokenCounter, child: CountingProcess, monkeypatch: pytest.MonkeyPatch
) -> None:
    pid = started(fresh, child)
    monkeypatch.setattr(child, "_timeout", 0.0)
    monkeypatch.setattr(process, "COUNT_TIMEOUT_PER_MB", 0.0)
    assert all(count.estimated for count in fresh.count_texts("gpt-4o", big_texts(3)))
    assert gone(pid)


def test_restarts_are_bounded(fresh: TokenCounter, child: CountingProcess) -> None:
    for _ in range(process.MAX_STARTS):
        pid = started(fresh, child)
        os.kill(pid, signal.SIGKILL)
        assert fresh.count_text("gpt-4o", "hello").estimated
    assert not fresh.load("gpt-4o")
    assert fresh.ready("gpt-4o")  # given up: no more loads are asked for
    assert child.pid is None
    assert fresh.count_text("gpt-4o", "hello").estimated


def test_a_child_that_cannot_start_gives_estimates_and_is_tried_again(
    fresh: TokenCounter, child: CountingProcess, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refused(*args: Any, **kwargs: Any) -> None:
        raise OSError(11, "Resource temporarily unavailable")

    with monkeypatch.context() as patch:
        patch.setattr(subprocess, "Popen", refused)
        assert not fresh.load("gpt-4o")
        assert not fresh.ready("gpt-4o")  # the next load tries again
        assert fresh.count_text("gpt-4o", "hello").estimated
    assert fresh.load("gpt-4o")
    assert not fresh.count_text("gpt-4o", "hello").estimated


# -- where the encodings come from ---------------------------------------------------------------


def test_the_childs_warnings_reach_this_log(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    damaged = tmp_path / "damaged"
    damaged.mkdir()
    name = files.SPECS[CL100K].file_name
    (damaged / name).write_bytes((files.bundled_dir() / name).read_bytes()[:-100])
    counter = TokenCounter(CountingProcess(lambda: (damaged, files.bundled_dir())))
    try:
        assert counter.load("gpt-4")
    finally:
        counter.close()
    assert "sha256 does not match" in caplog.text


def test_without_encodings_counts_are_estimates_and_nothing_is_written(
    tmp_path: Path,
    network_attempts: list[str],  # noqa: F811 (the module's guard, imported above)
) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    counter = TokenCounter(CountingProcess(lambda: (empty,)))
    try:
        assert not counter.load("gpt-4o")
        assert counter.ready("gpt-4o")
        assert counter.count_text("gpt-4o", CORPUS["english"]).estimated
    finally:
        counter.close()
    assert list(empty.iterdir()) == []
    assert network_attempts == []


def test_the_default_places_are_resolved_when_loading(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, reference: TokenCounter
) -> None:
    """The child reads the folders this process names at the time of the load, as `Encodings`
    does, so TIKTOKEN_CACHE_DIR set after the counter was made still counts."""
    bundled, counter = files.bundled_dir(), TokenCounter()
    try:
        monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(tmp_path))
        monkeypatch.setattr(files, "bundled_dir", lambda: tmp_path / "not-bundled")
        assert not counter.load("gpt-4")
        monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(bundled))
        assert counter.load("gpt-4o")
        text = CORPUS["chinese"]
        assert counter.count_text("gpt-4o", text) == reference.count_text("gpt-4o", text)
    finally:
        counter.close()


# -- nothing left behind -------------------------------------------------------------------------


def test_close_leaves_no_process_behind(fresh: TokenCounter, child: CountingProcess) -> None:
    pid = started(fresh, child)
    fresh.close()
    assert gone(pid)
    assert fresh.count_text("gpt-4o", "hello").estimated
    assert not fresh.load("gpt-4o")  # closed for good
    fresh.close()


@pytest.mark.asyncio
async def test_the_service_stops_its_counting_process(
    config: Configuration, store: Store, reference: TokenCounter
) -> None:
    tokenizers = CountingProcess()
    provider = ScriptedProvider(["Bonjour"])
    service = assemble(
        store, Providers({"scripted": provider}), config.settings, tokens=TokenCounter(tokenizers)
    )
    try:
        thread = await service.create_thread(provider="scripted", model="gpt-4o")
        turn = await service.send(thread.id, "Say hello in French")
        await service.wait_for_answer(turn.answer.id)
        usage = await service.context_usage(thread.id)
        assert not usage.estimated
        assert usage.breakdown is not None
        assert usage.breakdown.history == reference.count_messages("gpt-4o", SENT).tokens - 3
        pid = tokenizers.pid
        assert pid is not None
    finally:
        await service.aclose()
    assert gone(pid)


# -- helpers -------------------------------------------------------------------------------------


def spy_on_requests(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The kinds of the requests sent to any counting process from now on."""
    kinds: list[str] = []
    real_ask = Child.ask

    def ask(self: Any, request: Any, timeout: float) -> Any:
        kinds.append(request[1])
        return real_ask(self, request, timeout)

    monkeypatch.setattr(Child, "ask", ask)
    return kinds


def run_threads(work: list[Callable[[], None]]) -> None:
    threads = [threading.Thread(target=job) for job in work]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
