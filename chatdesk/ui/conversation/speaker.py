"""The head of an answer: a disc for who speaks and their name (the assistant's, else the
model's), in a team thread with whom it answered."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import QHBoxLayout, QLabel, QWidget

from chatdesk.core.assistants.builtin import said
from chatdesk.core.i18n import tr
from chatdesk.ui.badges import badge_pixmap, disc_pixmap
from chatdesk.ui.conversation.labels import header_text
from chatdesk.ui.theme import current_look
from chatdesk.ui.theme.colours import colours
from chatdesk.ui.theme.icons import picture
from chatdesk.ui.theme.scale import SPACE

if TYPE_CHECKING:
    from chatdesk.core.views import MessageView

DISC = 22  # pixels


class SpeakerHead(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, SPACE["xxs"])
        row.setSpacing(SPACE["s"])
        self.disc = QLabel()
        self.disc.setFixedSize(DISC, DISC)
        self.name = QLabel()
        self.name.setObjectName("speakerName")
        row.addWidget(self.disc)
        row.addWidget(self.name)
        row.addStretch(1)

    def show_speaker(
        self, message: MessageView, look: tuple[str | None, str | None] = (None, None)
    ) -> None:
        """`look`: the assistant's icon and colour, when the answer came from one."""
        self.name.setText(header_text(message))
        author = message.author
        self.name.setToolTip(tr("Written by {author}", author=author) if author else "")
        if message.agent:
            icon, colour = look
            self.disc.setPixmap(badge_pixmap(said(message.agent), icon, colour, DISC))
        else:
            self.disc.setPixmap(_model_disc(self.devicePixelRatioF()))


def _model_disc(ratio: float) -> QPixmap:
    """An answer straight from a model: the accent's disc with a spark on it."""
    named = colours(current_look())
    spark = picture("sparkles", named["on_accent"], 14, ratio)
    return disc_pixmap(
        named["accent"], DISC, lambda painter, _: painter.drawPixmap(4, 4, 14, 14, spark), ratio
    )
