"""The composer: the text field (`editor.py`), the chips of what goes with the message
(`attachments.py`, loaded with the first chip) and the widget that holds them with the buttons
(`widget.py`)."""

from chatdesk.ui.composer.pending import Pending
from chatdesk.ui.composer.widget import Composer

__all__ = ["Composer", "Pending"]
