"""Token counting: tiktoken's exact counts, the chat-format overhead, offline fallbacks."""

from __future__ import annotations

import hashlib
import shutil
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests
import tiktoken
import tiktoken.load
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chatdesk.core.providers.base import ChatMessage
from chatdesk.core.tokens import (
    CL100K,
    O200K,
    REPLY_PRIMING,
    Encodings,
    MessageLike,
    TokenCount,
    TokenCounter,
    encoding_for_model,
    estimate_tokens,
    files,
    loader,
)

pytestmark = pytest.mark.processes  # its tests start processes (tests/stages.py)

ENCODINGS = (O200K, CL100K)
BUNDLED = files.bundled_dir()
MODEL_OF = {O200K: "gpt-4o", CL100K: "gpt-4"}

CORPUS = {
    "english": (
        "The lighthouse keeper had not spoken to anyone in three weeks, and he was beginning to "
        "enjoy it. Every morning he climbed the hundred and twelve steps, wiped the salt from the "
        "great lens, and wrote the weather in a ledger nobody would ever read. Storms came in "
        "from the west, usually in the afternoon; he could smell them an hour before the sky "
        "changed.\n\n"
        "When the supply boat finally arrived, the young pilot asked whether he was lonely. "
        '"Lonely?" he said, considering the question with unusual seriousness. "No. I\'m '
        "occupied. There's a difference, though it took me years to notice it.\""
    ),
    "python": (
        "import asyncio\nfrom dataclasses import dataclass, field\n\n\n@dataclass\n"
        'class RateLimiter:\n    """Allow at most `rate` calls per `per` seconds."""\n\n'
        "    rate: int\n    per: float = 1.0\n"
        "    _stamps: list[float] = field(default_factory=list)\n\n"
        "    async def acquire(self) -> None:\n        loop = asyncio.get_running_loop()\n"
        "        while True:\n            now = loop.time()\n"
        "            self._stamps = [t for t in self._stamps if now - t < self.per]\n"
        "            if len(self._stamps) < self.rate:\n                self._stamps.append(now)\n"
        "                return\n"
        "            await asyncio.sleep(self.per - (now - self._stamps[0]))\n"
    ),
    "javascript": (
        "export function groupBy(items, keyFn) {\n  const groups = new Map();\n"
        "  for (const item of items) {\n    const key = keyFn(item);\n"
        "    if (!groups.has(key)) groups.set(key, []);\n    groups.get(key).push(item);\n  }\n"
        "  return Object.fromEntries(groups);\n}\n\n"
        "const byStatus = groupBy(orders, (o) => o?.status ?? 'unknown');\n"
        "console.log(JSON.stringify(byStatus, null, 2));\n"
    ),
    "json": (
        '{"id": "chatcmpl-9x8Y7", "object": "chat.completion", "created": 1718035200, '
        '"model": "gpt-4o-2024-05-13", "choices": [{"index": 0, "message": {"role": "assistant", '
        '"content": "Hello! How can I help?"}, "finish_reason": "stop"}], '
        '"usage": {"prompt_tokens": 19, "completion_tokens": 9, "total_tokens": 28}}'
    ),
    "markdown": (
        "## Results\n\n| Model | Latency (ms) | Cost ($/1M) |\n|---|---:|---:|\n"
        "| small | 182.5 | 0.15 |\n| large | 913.0 | 2.50 |\n\n"
        "- **Install**: `pip install chatdesk==0.1.0`\n- See https://example.com/docs/setup?lang=en#offline\n"
        "> Note: numbers measured on 2024-06-10 at 14:32 UTC.\n"
    ),
    "chinese": (
        "人工智能正在改变我们的工作方式。许多公司已经开始使用大型语言模型来编写代码、回答客户问题，"
        "以及总结冗长的文件。然而，这些工具并不完美：它们有时会给出看似合理但实际上错误的答案。"
        "因此，在重要的决策中，人类的判断仍然不可或缺。我们应该把它们当作助手，而不是权威。"
    ),
    "japanese": (
        "昨日は一日中雨が降っていたので、家で本を読んで過ごしました。夕方になって少し晴れたので、"
        "近所の公園まで散歩に行きました。桜はもう散り始めていましたが、とてもきれいでした。"
        "カフェでコーヒーを飲みながら、来週の旅行の計画を立てました。"
    ),
    "korean": (
        "오늘은 날씨가 정말 좋아서 친구들과 함께 한강 공원에 갔습니다. "
        "자전거를 타고 강변을 달리다가 편의점에서 라면을 먹었습니다. "
        "저녁에는 집에 돌아와서 영화를 한 편 보고 일찍 잠자리에 들었습니다."
    ),
    "emoji": (
        "Great news 🎉🎉 the release is out! 🚀 Thanks to everyone 🙏❤️ who helped. "
        "Team: 👩‍💻👨‍💻🧑🏽‍🔬 — next stop 🇯🇵🇫🇷🇧🇷. Weather today: ☀️🌤️🌧️ "
        "and my mood: 😀😅😂🤔😴 👍🏻👍🏿 ✅❌⚠️"
    ),
    "european": (
        "Привет! Как дела? Сегодня мы обсудим, почему кошки любят коробки. "
        "Die Straße war überfüllt, und die Bäckerei öffnete erst um neun Uhr. "
        "Ελπίζω να έχετε μια υπέροχη μέρα. Où est la gare, s'il vous plaît ? Ça dépend. "
        "مرحبا بالعالم، كيف حالك اليوم؟ नमस्ते दुनिया, आप कैसे हैं? สวัสดีครับ วันนี้อากาศดีมาก"
    ),
}


class NetworkAttempted(OSError):
    pass


@pytest.fixture(autouse=True)
def network_attempts(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every name lookup or internet socket this test tries to open, refused and recorded.
    Local sockets (AF_UNIX: an asyncio loop's self-pipe) are no network and stay allowed."""
    attempts: list[str] = []

    def refuse(what: str) -> Any:
        def refused(*args: object, **kwargs: object) -> None:
            attempts.append(f"{what}{args}")
            raise NetworkAttempted(what)

        return refused

    local_socket, internet_socket = socket.socket, refuse("socket")

    def guarded(family: int = socket.AF_INET, *args: Any, **kwargs: Any) -> socket.socket:
        if family == socket.AF_UNIX:
            return local_socket(family, *args, **kwargs)
        return internet_socket(family, *args, **kwargs)  # type: ignore[no-any-return]

    monkeypatch.setattr(socket, "socket", guarded)
    monkeypatch.setattr(socket, "create_connection", refuse("create_connection"))
    monkeypatch.setattr(socket, "getaddrinfo", refuse("getaddrinfo"))
    return attempts


@pytest.fixture(scope="module")
def reference() -> Iterator[dict[str, tiktoken.Encoding]]:
    """tiktoken's own encodings, built by tiktoken from the shipped copies as its cache."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TIKTOKEN_CACHE_DIR", str(BUNDLED))
        yield {name: tiktoken.get_encoding(name) for name in ENCODINGS}


@pytest.fixture(scope="module")
def loaded() -> Encodings:
    """chatdesk's encodings, loaded once for the module from the shipped copies."""
    encodings = Encodings(lambda: (BUNDLED,))
    for name in ENCODINGS:
        assert encodings.load(name) is not None
    return encodings


@pytest.fixture
def counter(loaded: Encodings) -> TokenCounter:
    return TokenCounter(loaded)


@pytest.fixture
def nowhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No encoding anywhere: TIKTOKEN_CACHE_DIR names an empty folder, nothing is bundled,
    the user cache (under the test's CHATDESK_HOME) is empty."""
    empty = tmp_path / "empty"
    empty.mkdir()
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(empty))
    monkeypatch.setattr(files, "bundled_dir", lambda: tmp_path / "not-bundled")
    return empty


# -- exact counts ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", ENCODINGS)
@pytest.mark.parametrize("kind", sorted(CORPUS))
def test_counts_equal_tiktoken(
    counter: TokenCounter, reference: dict[str, tiktoken.Encoding], name: str, kind: str
) -> None:
    text = CORPUS[kind]
    expected = len(reference[name].encode_ordinary(text))
    assert counter.count_text(MODEL_OF[name], text) == TokenCount(expected, estimated=False)


@pytest.mark.parametrize("name", ENCODINGS)
def test_encodings_are_tiktokens_own(
    loaded: Encodings, reference: dict[str, tiktoken.Encoding], name: str
) -> None:
    ours, theirs = loaded.get(name), reference[name]
    assert ours is not None
    for text in CORPUS.values():
        assert ours.encode_ordinary(text) == theirs.encode_ordinary(text)
    assert ours.special_tokens_set == theirs.special_tokens_set
    for special in theirs.special_tokens_set:
        assert ours.encode_single_token(special) == theirs.encode_single_token(special)


def test_text_that_looks_like_a_special_token_is_counted_as_text(
    counter: TokenCounter, reference: dict[str, tiktoken.Encoding]
) -> None:
    text = "Say <|endoftext|> twice: <|endoftext|>"
    expected = len(reference[O200K].encode_ordinary(text))
    assert expected > 2
    assert counter.count_text("gpt-4o", text).tokens == expected


# -- chat format -----------------------------------------------------------------------------


@dataclass(frozen=True)
class NamedMessage:
    role: str
    content: str
    name: str


def conversation() -> list[ChatMessage]:
    return [
        ChatMessage("system", "You are a concise assistant."),
        ChatMessage("user", CORPUS["english"]),
        ChatMessage("assistant", CORPUS["python"]),
        ChatMessage("user", CORPUS["chinese"] + CORPUS["emoji"]),
    ]


def billed(encoding: tiktoken.Encoding, messages: Sequence[object]) -> int:
    """The cookbook's num_tokens_from_messages, written out from tiktoken."""
    total = 3
    for message in messages:
        total += 3
        for field in ("role", "content", "name"):
            value = getattr(message, field, None)
            if value:
                total += len(encoding.encode(value)) + (1 if field == "name" else 0)
    return total


@pytest.mark.parametrize("name", ENCODINGS)
def test_chat_requests_count_the_format_overhead(
    counter: TokenCounter, reference: dict[str, tiktoken.Encoding], name: str
) -> None:
    messages = conversation()
    count = counter.count_messages(MODEL_OF[name], messages)
    assert count == TokenCount(billed(reference[name], messages), estimated=False)


def test_a_named_message_costs_its_name_and_one_token(
    counter: TokenCounter, reference: dict[str, tiktoken.Encoding]
) -> None:
    system = ChatMessage("system", "Be brief.")
    messages: list[MessageLike] = [system, NamedMessage("user", "Hi there", "alice")]
    expected = billed(reference[O200K], messages)
    assert counter.count_messages("gpt-4o", messages).tokens == expected
    unnamed = counter.count_messages("gpt-4o", [system, ChatMessage("user", "Hi there")])
    assert expected - unnamed.tokens == 1 + len(reference[O200K].encode("alice"))


def test_a_request_is_its_messages_plus_the_reply_priming(counter: TokenCounter) -> None:
    messages = conversation()
    one_by_one = [counter.count_message("gpt-4.1", message) for message in messages]
    assert counter.count_messages("gpt-4.1", messages).tokens == REPLY_PRIMING + sum(
        count.tokens for count in one_by_one
    )
    assert counter.count_messages("gpt-4.1", []) == TokenCount(REPLY_PRIMING, estimated=False)


# -- which encoding ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("model", "encoding", "exact"),
    [
        ("gpt-4o", O200K, True),
        ("gpt-4o-mini-2024-07-18", O200K, True),
        ("chatgpt-4o-latest", O200K, True),
        ("gpt-4.1-nano", O200K, True),
        ("gpt-4.5-preview", O200K, True),
        ("gpt-5", O200K, True),
        ("gpt-5.1-codex", O200K, True),
        ("o1", O200K, True),
        ("o3-mini-2025-01-31", O200K, True),
        ("o4-mini", O200K, True),
        ("openai/gpt-4o", O200K, True),
        ("openai/gpt-4o:online", O200K, True),
        ("ft:gpt-4o-mini-2024-07-18:acme::9abc", O200K, True),
        (" GPT-4O ", O200K, True),
        ("gpt-4", CL100K, True),
        ("gpt-4-0613", CL100K, True),
        ("gpt-4-turbo-2024-04-09", CL100K, True),
        ("gpt-3.5-turbo", CL100K, True),
        ("gpt-35-turbo", CL100K, True),
        ("text-embedding-3-small", CL100K, True),
        ("openai/gpt-3.5-turbo-0125", CL100K, True),
        ("llama3.1:8b", O200K, False),
        ("qwen2.5-coder:32b", O200K, False),
        ("mistral", O200K, False),
        ("meta-llama/llama-3.3-70b-instruct", O200K, False),
        ("anthropic/claude-3.5-sonnet", O200K, False),
        ("gpt-oss:20b", O200K, False),
        ("o100-experimental", O200K, False),
        ("openchat", O200K, False),
        ("mock-1", O200K, False),
        ("", O200K, False),
    ],
)
def test_model_to_encoding(model: str, encoding: str, exact: bool) -> None:
    choice = encoding_for_model(model)
    assert (choice.encoding, choice.exact) == (encoding, exact)


def test_other_servers_models_are_counted_with_o200k_and_marked_estimated(
    counter: TokenCounter, reference: dict[str, tiktoken.Encoding]
) -> None:
    text = CORPUS["english"]
    count = counter.count_text("llama3.1:8b", text)
    assert count == TokenCount(len(reference[O200K].encode_ordinary(text)), estimated=True)


# -- where encodings come from -----------------------------------------------------------------


def test_bundled_copies_are_intact() -> None:
    for spec in files.SPECS.values():
        data = (files.bundled_dir() / spec.file_name).read_bytes()
        assert hashlib.sha256(data).hexdigest() == spec.sha256


def test_bundled_copy_is_found_without_tiktoken_cache_dir(
    monkeypatch: pytest.MonkeyPatch, chatdesk_home: Path
) -> None:
    monkeypatch.delenv("TIKTOKEN_CACHE_DIR", raising=False)
    assert files.default_locations() == (files.bundled_dir(), chatdesk_home / "cache" / "tiktoken")
    counter = TokenCounter(Encodings())
    assert counter.load("gpt-4o")
    assert not counter.count_text("gpt-4o", "hello").estimated


def test_tiktoken_cache_dir_comes_first(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(tmp_path))
    assert files.default_locations()[0] == tmp_path


def test_an_empty_tiktoken_cache_dir_is_not_a_place(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", "")  # tiktoken's "no cache", not the current folder
    assert files.default_locations()[0] == files.bundled_dir()


def test_user_cache_is_used_when_nothing_else_has_the_file(
    nowhere: Path, chatdesk_home: Path
) -> None:
    cache = chatdesk_home / "cache" / "tiktoken"
    cache.mkdir(parents=True)
    name = files.SPECS[CL100K].file_name
    shutil.copyfile(BUNDLED / name, cache / name)
    counter = TokenCounter(Encodings())
    assert counter.load("gpt-4")
    assert not counter.load("gpt-4o")


def test_a_damaged_copy_is_skipped_for_the_next_place(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    damaged, intact = tmp_path / "damaged", BUNDLED
    damaged.mkdir()
    name = files.SPECS[CL100K].file_name
    (damaged / name).write_bytes((intact / name).read_bytes()[:-100])
    encodings = Encodings(lambda: (damaged, intact))
    assert encodings.load(CL100K) is not None
    assert "sha256 does not match" in caplog.text


# -- offline, no files -------------------------------------------------------------------------


def test_the_network_guard_catches_tiktokens_download(
    nowhere: Path, network_attempts: list[str]
) -> None:
    """What the guard is for: given no file, tiktoken itself goes to the internet."""
    spec = files.SPECS[CL100K]
    url = "https://openaipublic.blob.core.windows.net/encodings/cl100k_base.tiktoken"
    with pytest.raises(requests.ConnectionError):  # how requests reports the refused socket
        tiktoken.load.load_tiktoken_bpe(url, spec.sha256)
    assert network_attempts


@pytest.mark.parametrize("name", ENCODINGS)
def test_without_encodings_counts_are_estimates_and_nothing_is_downloaded(
    nowhere: Path,
    network_attempts: list[str],
    reference: dict[str, tiktoken.Encoding],
    name: str,
) -> None:
    counter = TokenCounter(Encodings())
    model = MODEL_OF[name]
    assert not counter.load(model)
    assert counter.ready(model)
    for kind, text in CORPUS.items():
        count = counter.count_text(model, text)
        real = len(reference[name].encode_ordinary(text))
        assert count.estimated
        assert 0.8 * real <= count.tokens <= 1.3 * real, kind
    assert network_attempts == []
    assert list(nowhere.iterdir()) == []  # nothing written into the cache folder either


def test_estimated_chat_requests_keep_the_format_overhead(nowhere: Path) -> None:
    counter = TokenCounter(Encodings())
    messages = [ChatMessage("user", "")] * 4
    assert counter.count_messages("gpt-4o", messages) == TokenCount(
        REPLY_PRIMING + 4 * (3 + 1), estimated=True
    )


def test_counts_are_estimates_until_loaded(nowhere: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(files, "bundled_dir", lambda: BUNDLED)
    counter = TokenCounter(Encodings())
    assert not counter.ready("gpt-4o")
    assert counter.count_text("gpt-4o", "hello world").estimated
    assert counter.load("gpt-4o")
    assert counter.ready("gpt-4o")
    assert counter.ready("o3-mini")  # the same encoding
    assert not counter.ready("gpt-4")
    assert counter.count_text("gpt-4o", "hello world") == TokenCount(2, estimated=False)


# -- lazy and thread-safe ---------------------------------------------------------------------

LAZY = """
import sys
import chatdesk.core.tokens as tokens
counter = tokens.TokenCounter()
before = counter.count_text("gpt-4o", "hello")
counter.ready("gpt-4o")
print("tiktoken" in sys.modules, before.estimated)
counter.load("gpt-4o")
print("tiktoken" in sys.modules, counter.count_text("gpt-4o", "hello").estimated)
counter.close()
"""


def test_tiktoken_is_loaded_only_in_the_counting_process() -> None:
    """Importing and counting before a load do not import tiktoken, and the load imports it in
    the counting process, not in the one that asks (the window's)."""
    result = subprocess.run(
        [sys.executable, "-c", LAZY], capture_output=True, text=True, timeout=60, check=True
    )
    assert result.stdout.split() == ["False", "True", "False", "False"]


def test_threads_loading_at_once_load_once(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    real_load = files.load_encoding

    def counted(spec: files.EncodingSpec, locations: Sequence[Path]) -> tiktoken.Encoding | None:
        calls.append(spec.name)
        return real_load(spec, locations)

    monkeypatch.setattr(loader, "load_encoding", counted)
    encodings = Encodings(lambda: (files.bundled_dir(),))
    start = threading.Barrier(6)
    results: list[tiktoken.Encoding | None] = []

    def load() -> None:
        start.wait()
        results.append(encodings.load(O200K))

    threads = [threading.Thread(target=load) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert calls == [O200K]
    assert len(results) == 6
    assert all(result is results[0] is not None for result in results)


# -- the estimator ----------------------------------------------------------------------------

estimator_settings = settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@estimator_settings
@given(a=st.text(), b=st.text(), name=st.sampled_from(ENCODINGS))
def test_estimates_grow_with_text_and_join_almost_additively(a: str, b: str, name: str) -> None:
    alone_a, alone_b = estimate_tokens(a, name), estimate_tokens(b, name)
    joined = estimate_tokens(a + b, name)
    assert alone_a >= 0
    assert alone_b >= 0
    assert joined >= max(alone_a, alone_b)
    assert joined <= alone_a + alone_b + 1


@estimator_settings
@given(text=st.text(min_size=1).filter(lambda text: text.strip() != ""))
def test_text_with_anything_but_spaces_costs_at_least_one_token(text: str) -> None:
    assert estimate_tokens(text) >= 1
