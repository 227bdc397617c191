"""The bar above the conversation: thread title, model and the context gauge."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QSizePolicy, QWidget

from chatdesk.core.units import format_cost

if TYPE_CHECKING:  # the views load with the core, behind the window's first paint
    from chatdesk.core.chat.usage import UsageTotals
    from chatdesk.core.chat.views import ContextUsage


WARN_AT = 0.80
FULL_AT = 0.95
# From 80 % the figures sit on the yellow part of the bar: dark text there in both themes.
GAUGE_STYLE = """
#contextGauge[level="warn"] { color: #1e1e1e; }
"""


def gauge_level(fraction: float) -> str:
    """ "ok", "warn" (yellow from 80 %) or "full" (red from 95 %) of the context budget."""
    if fraction >= FULL_AT:
        return "full"
    return "warn" if fraction >= WARN_AT else "ok"


class ThreadHeader(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("threadHeader")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(14, 8, 14, 8)
        self.title = QLabel("New chat")
        self.title.setObjectName("threadTitle")
        self.title.setAccessibleName("Thread title")
        self.title.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.model = QLabel()
        self.model.setObjectName("threadModel")
        self.model.setAccessibleName("Model")
        self.spent = QLabel()
        self.spent.setObjectName("threadSpent")
        self.spent.setAccessibleName("Tokens and cost of this thread")
        self.gauge = QProgressBar()
        self.gauge.setObjectName("contextGauge")
        self.gauge.setRange(0, 100)
        self.gauge.setFixedWidth(124)
        self.gauge.setTextVisible(True)
        self.gauge.setAccessibleName("Context used")
        layout.addWidget(self.title, 1)
        layout.addWidget(self.model)
        layout.addWidget(self.spent)
        layout.addWidget(self.gauge)
        self.show_usage(None)
        self.show_spent(None)

    def show_thread(self, title: str, model: str) -> None:
        self.title.setText(title)
        self.title.setToolTip(title)
        self.model.setText(model)

    def show_usage(self, usage: ContextUsage | None) -> None:
        """The next message's context: used of the budget, the breakdown on hover."""
        self.gauge.setVisible(usage is not None)
        if usage is None:
            return
        fraction = min(usage.fraction, 1.0)
        self.gauge.setValue(round(fraction * 100))
        about = "≈" if usage.estimated else ""
        self.gauge.setFormat(
            f"{about}{_tokens(usage.used_tokens)} / {_tokens(usage.budget_tokens)}"
        )
        lines = usage_lines(usage)
        self.gauge.setToolTip("\n".join(lines))
        self.gauge.setAccessibleDescription(". ".join(line.strip() for line in lines))
        self.gauge.setProperty("level", gauge_level(usage.fraction))
        self.gauge.style().polish(self.gauge)

    def show_spent(self, totals: UsageTotals | None) -> None:
        """What the thread's answers used and cost so far, every branch included."""
        self.spent.setVisible(totals is not None and totals.answers > 0)
        if totals is None or not totals.answers:
            return
        self.spent.setText(spent_text(totals))
        self.spent.setToolTip(spent_detail(totals))
        self.spent.setAccessibleDescription(spent_detail(totals))


def _tokens(count: int) -> str:
    """ "950", "12.3k", "1.2M": the header has room for a short figure only."""
    if count < 1000:
        return str(count)
    if count < 1_000_000:
        return f"{count / 1000:.1f}k"
    return f"{count / 1_000_000:.1f}M"


def usage_lines(usage: ContextUsage) -> list[str]:
    """The gauge's breakdown, a line per part: what the next request would hold."""
    about = "about " if usage.estimated else ""
    parts = usage.breakdown
    model = f" ({parts.model})" if parts is not None and parts.model else ""
    lines = [
        f"Context of the next message{model}: {about}{usage.used_tokens:,} of "
        f"{usage.budget_tokens:,} tokens ({usage.fraction:.0%})"
    ]
    if parts is not None:
        history = f"{parts.history:,} ({parts.messages:,} {_plural(parts.messages, 'message')})"
        lines += [
            f"  System prompt: {parts.system:,}",
            f"  Summary: {parts.summary:,}",
            f"  Recent messages: {history}",
            f"  Your draft: {parts.draft:,}",
            *(
                [f"  Kept for passages of knowledge bases: {parts.knowledge:,}"]
                if parts.knowledge
                else []
            ),
            f"  Kept for the answer: {parts.reserve:,} (context window {parts.window:,})",
        ]
        if parts.omitted:
            lines.append(
                f"  Left out: {parts.omitted:,} older {_plural(parts.omitted, 'message')} "
                "(neither sent nor summarised)"
            )
    if usage.fraction > 1:
        lines.append("Too long for this model: shorten the message or attach less.")
    elif usage.fraction >= FULL_AT:
        lines.append("Nearly full: older messages are left out or summarised.")
    if usage.estimated:
        lines.append("≈ Estimated: not counted with the model's own tokenizer.")
    return lines


def _plural(count: int, word: str) -> str:
    return word if count == 1 else f"{word}s"


def spent_text(totals: UsageTotals) -> str:
    about = "≈" if totals.estimated else ""
    text = f"{about}{_tokens(totals.total_tokens)} tokens"
    if totals.cost_usd is not None:
        text += f" · {'≥ ' if totals.partial_cost else ''}{format_cost(totals.cost_usd)}"
    return text


def spent_detail(totals: UsageTotals) -> str:
    lines = [
        f"This thread so far ({totals.answers:,} answers, every branch):",
        f"{totals.prompt_tokens:,} tokens in ({totals.cached_tokens:,} cached)",
        f"{totals.completion_tokens:,} tokens out ({totals.reasoning_tokens:,} thinking)",
    ]
    if totals.cost_usd is not None:
        lines.append(f"Cost: {format_cost(totals.cost_usd)}")
    if totals.partial_cost:
        lines.append("Some answers had no price; their cost is not included.")
    if totals.estimated:
        lines.append("≈ Some counts were made by chatdesk: the server did not report them.")
    return "\n".join(lines)
