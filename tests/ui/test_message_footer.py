"""The footer under an answer: tokens (≈ when chatdesk counted them), cost, timing."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from chatdesk.core.kinds import Role, Status
from chatdesk.core.units import format_cost
from chatdesk.core.views import MessageView, Usage
from chatdesk.ui.conversation.labels import usage_text


def _answer(usage: Usage) -> MessageView:
    return MessageView(
        id=uuid.uuid4(),
        thread_id=uuid.uuid4(),
        parent_id=None,
        depth=1,
        role=Role.ASSISTANT,
        status=Status.COMPLETE,
        content="Hi",
        reasoning=None,
        provider="openai",
        model="gpt-4o",
        usage=usage,
        latency_ms=2300,
        first_token_ms=400,
        error_type=None,
        error_detail=None,
        created_at=datetime(2026, 11, 21, 12, 0, tzinfo=UTC),
        completed_at=None,
    )


def test_reported_usage_shows_tokens_cache_thinking_and_cost() -> None:
    text = usage_text(_answer(Usage(1200, 80, 1000, 30, 0.00123)))
    assert "80 tokens out, 1,200 in (1,000 cached), 30 thinking" in text
    assert "$0.0012" in text
    assert "≈" not in text
    assert "2.3 s (first token 0.40 s)" in text


def test_counted_usage_is_marked_and_unknown_cost_is_left_out() -> None:
    text = usage_text(_answer(Usage(50, 7, estimated=True)))
    assert "≈7 tokens out, 50 in" in text
    assert "$" not in text


def test_costs_keep_the_digits_a_small_amount_needs() -> None:
    assert format_cost(0) == "$0.00"
    assert format_cost(0.0000000004) == "< $0.000001"
    assert format_cost(0.0000241) == "$0.000024"
    assert format_cost(0.00123) == "$0.0012"
    assert format_cost(0.0456) == "$0.046"
    assert format_cost(12345.678) == "$12,345.68"
