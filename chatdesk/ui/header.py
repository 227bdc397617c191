"""The bar above the conversation: thread title, model and the context gauge."""

from __future__ import annotations

from string import Template
from typing import TYPE_CHECKING

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QPainter, QPaintEvent, QTextOption
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QSizePolicy, QToolButton, QWidget

from chatdesk.core.i18n import ntr, number, percent, tr
from chatdesk.core.units import format_cost
from chatdesk.ui.theme import current_look
from chatdesk.ui.theme.icons import set_icon, show_icon
from chatdesk.ui.theme.scale import ICON

if TYPE_CHECKING:  # the views load with the core, behind the window's first paint
    from chatdesk.core.chat.usage import UsageTotals
    from chatdesk.core.views import ContextBreakdown, ContextUsage, ThreadView


WARN_AT = 0.80
FULL_AT = 0.95
# The figures stand beside the bar, on the header's own ground, never on the bar's colour; from
# 80 % they take the bar's colour too.
GAUGE_STYLE = Template("""
#contextFigures { color: $text_quiet; }
#contextFigures[level="warn"] { color: $warning; }
#contextFigures[level="full"] { color: $danger; }
""")


ORIGIN_STYLE = """
QLabel#threadOrigin {
    color: palette(placeholder-text);
    border: 1px solid palette(mid);
    border-radius: 7px;
    padding: 0 6px;
}
"""


def _origin_mark() -> QLabel:
    """The mark of a chat made through the local API (hidden on the others)."""
    # translators: the mark on a chat made through the local API, in the chat's header
    mark = QLabel(tr("API"))
    mark.setObjectName("threadOrigin")
    mark.setStyleSheet(ORIGIN_STYLE)
    said = tr("Made through the local API")
    mark.setToolTip(said)
    mark.setAccessibleName(said)
    mark.hide()
    return mark


def gauge_level(fraction: float) -> str:
    """ "ok", "warn" (yellow from 80 %) or "full" (red from 95 %) of the context budget."""
    if fraction >= FULL_AT:
        return "full"
    return "warn" if fraction >= WARN_AT else "ok"


def thread_title(thread: ThreadView | None) -> str:
    """The title the header and the window's title show for `thread` (None: the new chat)."""
    # translators: the title of the new chat, not sent yet (in the header and the window's title)
    return thread.title if thread else tr("New chat")


class ThreadHeader(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("threadHeader")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(14, 8, 14, 8)
        # Shown while the sidebar is hidden (the window is narrow, or Ctrl+B hid it).
        self.show_side = QToolButton()
        self.show_side.setObjectName("showSidebar")
        self.show_side.setAutoRaise(True)
        self.show_side.setIconSize(QSize(ICON["m"], ICON["m"]))
        show_icon(self.show_side, False, current_look())  # drawn after the first paint
        set_icon(self.show_side, "show-sidebar", current_look())
        self.show_side.setAccessibleName(tr("Show the sidebar"))
        self.show_side.setToolTip(tr("Show the sidebar (Ctrl+B)"))
        self.show_side.hide()
        self.title = ElidedLabel(thread_title(None))
        self.title.setObjectName("threadTitle")
        self.title.setAccessibleName(tr("Thread title"))
        self.title.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.origin = _origin_mark()
        self.model = QLabel()
        self.model.setObjectName("threadModel")
        # translators: the header's label of the model that answers in the thread shown
        self.model.setAccessibleName(tr("Model"))
        self.spent = QLabel()
        self.spent.setObjectName("threadSpent")
        self.spent.setAccessibleName(tr("Tokens and cost of this thread"))
        self.gauge = QProgressBar()
        self.gauge.setObjectName("contextGauge")
        self.gauge.setRange(0, 100)
        self.gauge.setFixedWidth(64)
        self.gauge.setTextVisible(False)
        self.gauge.setAccessibleName(tr("Context used"))
        self.figures = QLabel()
        self.figures.setObjectName("contextFigures")
        # What is said of the thread shown, hidden while a page stands in its place.
        self.facts = QWidget(self)
        facts = QHBoxLayout(self.facts)
        facts.setContentsMargins(0, 0, 0, 0)
        for part in (self.model, self.spent, self.figures, self.gauge):
            facts.addWidget(part)
        layout.addWidget(self.show_side)
        layout.addWidget(self.title, 1)
        layout.addWidget(self.origin)
        layout.addWidget(self.facts)
        self._thread_title = self.title.text()
        self._page: str | None = None
        self.show_usage(None)
        self.show_spent(None)

    def draw_icons(self) -> None:
        """Draw the button's icon (after the window's first paint: the first icon drawn loads
        Qt's SVG plugin)."""
        show_icon(self.show_side, True, current_look())

    def show_thread(
        self, title: str, model: str, thread: ThreadView | None = None, *, cut: str = ""
    ) -> None:
        """`thread`: the one shown, marked when it was made through the local API. `cut`: the
        part of `title` to shorten when it does not fit (the thread's own title, when `title`
        says more of it, as a temporary chat's does); empty: the end of it."""
        self._thread_title = title
        self.title.cut = cut
        self.model.setText(model)
        self.origin.setVisible(thread is not None and thread.through_api)
        if self._page is None:
            self._show_title(title)

    def show_page(self, title: str | None) -> None:
        """Name the page shown in place of the conversation ("Connect a model"), without the
        thread's model and figures; None: the thread's again."""
        self._page = title
        self.title.cut = "" if title is not None else self.title.cut
        self._show_title(title if title is not None else self._thread_title)
        self.facts.setHidden(title is not None)

    def _show_title(self, title: str) -> None:
        self.title.setText(title)
        self.title.setToolTip(title)

    def show_usage(self, usage: ContextUsage | None) -> None:
        """The next message's context: used of the budget, the breakdown on hover."""
        self.gauge.setVisible(usage is not None)
        self.figures.setVisible(usage is not None)
        if usage is None:
            return
        fraction = min(usage.fraction, 1.0)
        self.gauge.setValue(round(fraction * 100))
        self.figures.setText(figures_text(usage))
        lines = usage_lines(usage)
        level = gauge_level(usage.fraction)
        for part in (self.gauge, self.figures):
            part.setToolTip("\n".join(lines))
            part.setAccessibleDescription(". ".join(line.strip() for line in lines))
            part.setProperty("level", level)
            part.style().polish(part)

    def show_spent(self, totals: UsageTotals | None) -> None:
        """What the thread's answers used and cost so far, every branch included."""
        self.spent.setVisible(totals is not None and totals.answers > 0)
        if totals is None or not totals.answers:
            return
        self.spent.setText(spent_text(totals))
        self.spent.setToolTip(spent_detail(totals))
        self.spent.setAccessibleDescription(spent_detail(totals))


def figures_text(usage: ContextUsage) -> str:
    """ "2.2k of 7.2k tokens in context", "≈" before it when chatdesk estimated the count."""
    used, budget = short_count(usage.used_tokens), short_count(usage.budget_tokens)
    if usage.estimated:
        # translators: the header's context figures, estimated by chatdesk ("≈2.2k of 7.2k …")
        return tr("≈{used} of {budget} tokens in context", used=used, budget=budget)
    # translators: the header's context figures ("2.2k of 7.2k tokens in context")
    return tr("{used} of {budget} tokens in context", used=used, budget=budget)


class ElidedLabel(QLabel):
    """A one-line label whose text ends in "…" where it is cut (`text()` is the whole); when
    `cut` is a part of the text, only that part is shortened, so what the rest says stays."""

    cut = ""

    def paintEvent(self, _event: QPaintEvent) -> None:
        area = self.contentsRect()
        shown = self.shown_text(area.width())
        painter = QPainter(self)
        painter.setPen(self.palette().color(self.foregroundRole()))
        side = Qt.AlignmentFlag.AlignRight if self.isRightToLeft() else Qt.AlignmentFlag.AlignLeft
        option = QTextOption(side | Qt.AlignmentFlag.AlignVCenter)
        option.setWrapMode(QTextOption.WrapMode.NoWrap)
        # An English title reads left to right in an Arabic window: its "?" stays at its end.
        option.setTextDirection(Qt.LayoutDirection.LayoutDirectionAuto)
        painter.drawText(QRectF(area), shown, option)

    def shown_text(self, width: int) -> str:
        text, metrics, elide = self.text(), self.fontMetrics(), Qt.TextElideMode.ElideRight
        if not self.cut or self.cut not in text or metrics.horizontalAdvance(text) <= width:
            return metrics.elidedText(text, elide, width)
        rest = metrics.horizontalAdvance(text.replace(self.cut, "", 1))
        shortened = metrics.elidedText(self.cut, elide, max(0, width - rest))
        return text.replace(self.cut, shortened or "…", 1)


def short_count(count: int) -> str:
    """ "950", "12.3k", "1.2M": the header has room for a short figure only."""
    if count < 1000:
        return number(count)
    if count < 1_000_000:
        # translators: a count in thousands, short ("12.3k"); keep {n}
        return tr("{n}k", n=number(count / 1000, 1))
    # translators: a count in millions, short ("1.2M"); keep {n}
    return tr("{n}M", n=number(count / 1_000_000, 1))


def usage_lines(usage: ContextUsage) -> list[str]:
    """The gauge's breakdown, a line per part: what the next request would hold."""
    parts = usage.breakdown
    model = f" ({parts.model})" if parts is not None and parts.model else ""
    if usage.estimated:
        first = ntr(
            "Context of the next message{model}: about {used} of {n} token ({percent})",
            "Context of the next message{model}: about {used} of {n} tokens ({percent})",
            usage.budget_tokens,
            model=model,
            used=number(usage.used_tokens),
            percent=percent(usage.fraction),
        )
    else:
        first = ntr(
            "Context of the next message{model}: {used} of {n} token ({percent})",
            "Context of the next message{model}: {used} of {n} tokens ({percent})",
            usage.budget_tokens,
            model=model,
            used=number(usage.used_tokens),
            percent=percent(usage.fraction),
        )
    lines = [first]
    if parts is not None:
        lines += [f"  {line}" for line in _breakdown(parts)]
    if usage.fraction > 1:
        lines.append(tr("Too long for this model: shorten the message or attach less."))
    elif usage.fraction >= FULL_AT:
        lines.append(tr("Nearly full: older messages are left out or summarised."))
    if usage.estimated:
        lines.append(tr("≈ Estimated: not counted with the model's own tokenizer."))
    return lines


def _breakdown(parts: ContextBreakdown) -> list[str]:
    """A line per part of the next request, and what was left out of it."""
    breakdown = [
        tr("System prompt: {tokens}", tokens=number(parts.system)),
        tr("Summary: {tokens}", tokens=number(parts.summary)),
        ntr(
            "Recent messages: {tokens} ({n} message)",
            "Recent messages: {tokens} ({n} messages)",
            parts.messages,
            tokens=number(parts.history),
        ),
        tr("Your draft: {tokens}", tokens=number(parts.draft)),
        *(
            [tr("Kept for passages of knowledge bases: {tokens}", tokens=number(parts.knowledge))]
            if parts.knowledge
            else []
        ),
        *(
            [
                ntr(
                    "Memories: {tokens} ({n} memory)",
                    "Memories: {tokens} ({n} memories)",
                    parts.memories,
                    tokens=number(parts.memory),
                )
            ]
            if parts.memory
            else []
        ),
        tr(
            "Kept for the answer: {tokens} (context window {window})",
            tokens=number(parts.reserve),
            window=number(parts.window),
        ),
    ]
    if parts.omitted:
        breakdown.append(
            ntr(
                "Left out: {n} older message (neither sent nor summarised)",
                "Left out: {n} older messages (neither sent nor summarised)",
                parts.omitted,
            )
        )
    return breakdown


def spent_text(totals: UsageTotals) -> str:
    about = "≈" if totals.estimated else ""
    figure = f"{about}{short_count(totals.total_tokens)}"
    text = ntr("{figure} token", "{figure} tokens", totals.total_tokens, figure=figure)
    if totals.cost_usd is not None:
        text += f" · {'≥ ' if totals.partial_cost else ''}{format_cost(totals.cost_usd)}"
    return text


def spent_detail(totals: UsageTotals) -> str:
    lines = [
        ntr(
            "This thread so far ({n} answer, every branch):",
            "This thread so far ({n} answers, every branch):",
            totals.answers,
        ),
        ntr(
            "{n} token in ({cached} cached)",
            "{n} tokens in ({cached} cached)",
            totals.prompt_tokens,
            cached=number(totals.cached_tokens),
        ),
        ntr(
            "{n} token out ({thinking} thinking)",
            "{n} tokens out ({thinking} thinking)",
            totals.completion_tokens,
            thinking=number(totals.reasoning_tokens),
        ),
    ]
    if totals.cost_usd is not None:
        lines.append(tr("Cost: {cost}", cost=format_cost(totals.cost_usd)))
    if totals.partial_cost:
        lines.append(tr("Some answers had no price; their cost is not included."))
    if totals.estimated:
        lines.append(tr("≈ Some counts were made by chatdesk: the server did not report them."))
    return "\n".join(lines)
