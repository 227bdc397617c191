"""`chatdesk providers …` and `chatdesk usage`, run as a user runs them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.core.sse_server import FakeOpenAI, error_reply
from tests.e2e.cli import chatdesk, chatdesk_json

KEY = "sk-cli-canary-4a8d0e6b2f"


@pytest.fixture
def server() -> Iterator[FakeOpenAI]:
    fake = FakeOpenAI(("llama3.2", "qwen2.5")).start()
    yield fake
    fake.close()


@pytest.mark.slow("a profile's whole life as a user types it, each step a chatdesk process")
def test_a_profile_is_added_tested_used_renamed_and_removed(
    server: FakeOpenAI, chatdesk_home: Path
) -> None:
    added = chatdesk_json(
        "providers",
        "add",
        "home",
        "--preset",
        "ollama",
        "--base-url",
        server.url,
        "--model",
        "llama3.2",
        "--rpm",
        "30",
        "--input-price",
        "1.5",
    )
    assert added["base_url"] == server.url
    assert added["requests_per_minute"] == 30
    assert added["key"] == "none"

    tested = chatdesk("providers", "test", "home")
    assert tested.returncode == 0, tested.stderr
    assert "2 models" in tested.stdout
    assert "qwen2.5" in tested.stdout

    answer = chatdesk_json("ask", "hello", "--provider", "home", "--model", "llama3.2")
    assert answer["status"] == "complete"

    renamed = chatdesk_json("providers", "edit", "home", "--rename", "gpu")
    assert renamed["name"] == "gpu"
    assert renamed["input_price_per_million"] == 1.5
    limited = chatdesk_json(
        "providers", "edit", "gpu", "--image-max-side", "1568", "--image-max-mb", "3.75"
    )
    assert (limited["image_max_side"], limited["image_max_mb"]) == (1568, 3.75)
    assert chatdesk_json("providers", "list")["providers"][0]["image_max_side"] == 1568
    too_small = chatdesk("providers", "edit", "gpu", "--image-max-side", "10")
    assert too_small.returncode != 0
    assert "64 to 16,384 pixels" in too_small.stderr
    listed = chatdesk_json("providers", "list")
    assert [p["name"] for p in listed["providers"]] == ["gpu"]
    chatdesk_json("providers", "remove", "gpu")
    assert chatdesk_json("providers", "list")["providers"] == []


def test_a_key_that_cannot_be_kept_safely_is_not_kept(
    server: FakeOpenAI, chatdesk_home: Path
) -> None:
    # The test processes have no system keyring (PYTHON_KEYRING_BACKEND is the failing one).
    result = chatdesk(
        "providers",
        "add",
        "remote",
        "--base-url",
        server.url,
        "--key-stdin",
        stdin=f"{KEY}\n".encode(),
    )
    assert result.returncode == 1
    assert "cannot save the API key" in result.stderr
    assert "OPENAI_API_KEY" in result.stderr
    assert chatdesk_json("providers", "list")["providers"] == []  # nothing half-saved
    for path in chatdesk_home.rglob("*"):
        if path.is_file():
            assert KEY.encode() not in path.read_bytes(), path


def test_bad_profiles_are_refused_with_the_reason(chatdesk_home: Path) -> None:
    public_http = chatdesk("providers", "add", "x", "--base-url", "http://api.example.com/v1")
    assert public_http.returncode != 0
    assert "https://" in public_http.stderr
    no_url = chatdesk("providers", "add", "x")
    assert no_url.returncode == 2
    assert "--base-url" in no_url.stderr
    taken = chatdesk("providers", "add", "mock", "--preset", "ollama")
    assert "built-in offline provider" in taken.stderr
    missing = chatdesk("providers", "test", "nothing")
    assert "No provider profile named 'nothing'" in missing.stderr


def test_a_failed_connection_test_exits_non_zero(chatdesk_home: Path) -> None:
    chatdesk_json("providers", "add", "dead", "--base-url", "http://127.0.0.1:9/v1")
    result = chatdesk("providers", "test", "dead")
    assert result.returncode == 1
    assert "refused the connection" in result.stdout


def test_usage_per_month_provider_and_model(chatdesk_home: Path) -> None:
    assert chatdesk("usage").stdout.startswith("no answers")
    chatdesk_json("ask", "one")
    chatdesk_json("ask", "two")
    [row] = chatdesk_json("usage")
    assert (row["provider"], row["model"], row["answers"]) == ("mock", "mock-1", 2)
    assert row["completion_tokens"] > 0
    assert row["cost_usd"] is None
    assert chatdesk_json("usage", "--month", "1999-01") == []


def test_a_conversation_too_long_for_the_model_says_so_and_what_to_do(
    server: FakeOpenAI, chatdesk_home: Path
) -> None:
    chatdesk_json(
        "providers",
        "add",
        "home",
        "--preset",
        "ollama",
        "--base-url",
        server.url,
        "--model",
        "llama3.2",
    )
    server.queue(
        error_reply(
            400,
            "This model's maximum context length is 8192 tokens. However, your messages "
            "resulted in 9001 tokens. Please reduce the length of the messages.",
            code="context_length_exceeded",
        )
    )
    result = chatdesk("ask", "the whole log, please", "--provider", "home")
    assert result.returncode == 1
    # No model named: the profile's own model is asked for, not the default provider's.
    assert [r.body["model"] for r in server.requests if "messages" in r.body] == ["llama3.2"]
    assert "The conversation is too long for llama3.2" in result.stderr
    assert "refused the request" not in result.stderr
    [thread] = chatdesk_json("threads", "list")
    short = thread["id"].replace("-", "")[:12]
    assert f"run chatdesk summarize {short} and ask again with --thread {short}" in result.stderr
    assert "--model naming a model with a larger context window" in result.stderr
    shown = chatdesk_json("threads", "show", thread["id"])["messages"]
    assert (shown[0]["role"], shown[0]["content"]) == ("user", "the whole log, please")
    assert shown[-1]["error_type"] == "conversation_too_long"


@pytest.mark.slow("a cap's whole life as a user types it: over a dozen chatdesk processes")
def test_caps_are_set_kept_and_shown_and_a_reached_one_stops_ask(
    server: FakeOpenAI, chatdesk_home: Path
) -> None:
    # $0.50 a token both ways; each answer of the server is 7 + 2 tokens: $4.50.
    chatdesk_json(
        "providers",
        "add",
        "paid",
        "--base-url",
        server.url,
        "--model",
        "llama3.2",
        "--input-price",
        "500000",
        "--output-price",
        "500000",
    )
    set_ = chatdesk_json("caps", "set", "--monthly", "5")
    assert (set_["monthly_usd"], set_["thread_usd"], set_["warn_at"]) == (5.0, 0.0, 0.8)
    for text in ("hi", "hi again"):  # the second one crosses the cap, and completes
        assert chatdesk_json("ask", text, "--provider", "paid")["status"] == "complete"

    refused = chatdesk("ask", "and now?", "--provider", "paid")
    assert refused.returncode == 2
    assert "The spending cap is reached: $9.00 of $5.00 (180%) this month" in refused.stderr
    assert len(chatdesk_json("threads", "list")) == 2  # nothing was written for it
    allowed = chatdesk_json("ask", "and now?", "--provider", "paid", "--over-cap")
    assert allowed["status"] == "complete"
    usage = chatdesk("usage")
    assert "cap: $13.50 of $5.00 (270%) this month, all providers; reached" in usage.stdout

    chatdesk_json("caps", "set", "--provider", "paid", "--monthly", "100")
    assert chatdesk_json("providers", "list")["providers"][0]["monthly_cap_usd"] == 100.0
    chatdesk_json("caps", "clear")
    [left] = chatdesk_json("caps")["caps"]
    assert (left["name"], left["left_usd"]) == ("this month on paid", 86.5)
    assert (
        chatdesk("caps").stdout.strip() == "$13.50 of $100.00 (14%) this month on paid; $86.50 left"
    )
    wrong = chatdesk("caps", "set", "--warn-at", "5")
    assert (wrong.returncode, "--warn-at is a share" in wrong.stderr) == (2, True)


def test_a_hosted_provider_of_the_catalogue_is_a_preset(chatdesk_home: Path) -> None:
    added = chatdesk_json("providers", "add", "claude", "--preset", "anthropic")
    assert added["base_url"] == "https://api.anthropic.com/v1"
    assert added["default_model"] == "claude-sonnet-4-5"
    refused = chatdesk("providers", "add", "az", "--preset", "azure")  # its address is yours
    assert refused.returncode != 0
    assert "invalid choice: 'azure'" in refused.stderr
