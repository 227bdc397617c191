"""The composer: where the user writes a message (`widget.py`), its text field (`editor.py`) and
the attachments waiting to go with it (`attachments.py`)."""

from chatdesk.ui.composer.attachments import DraftAttachment
from chatdesk.ui.composer.widget import Composer

__all__ = ["Composer", "DraftAttachment"]
