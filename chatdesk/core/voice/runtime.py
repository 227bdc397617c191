"""What voice says about its extras (decision 0074): local speech and audio files are extras of
chatdesk's package (chatdesk/core/extras.py), and where a feature of voice lacks one, this says
how to get it.
"""

from __future__ import annotations

from chatdesk.core.extras import AUDIO_FILES, LOCAL_SPEECH, Extras
from chatdesk.core.extras import how_to_get as how_to_get_extra
from chatdesk.core.i18n import tr

__all__ = ["AUDIO_FILES", "LOCAL_SPEECH", "how_to_get"]


def how_to_get(extra: str) -> str:
    """The sentence that says how to get `extra` where voice needs it and it is missing."""
    state = Extras().state(extra)
    if state.frozen or extra not in (LOCAL_SPEECH, AUDIO_FILES):
        return how_to_get_extra(extra)
    if extra == AUDIO_FILES:
        return tr(
            "It needs a download of about {download} MB ({disk} MB on disk), once: `chatdesk "
            "voice install {extra}`.",
            download=state.download_mb,
            disk=state.disk_mb,
            extra=extra,
        )
    return tr(  # the engine Preferences ▸ Voice offers to install
        "It needs a download of about {download} MB ({disk} MB on disk), once: Install in "
        "Preferences ▸ Voice, or `chatdesk voice install {extra}`; or choose a provider "
        "there instead.",
        download=state.download_mb,
        disk=state.disk_mb,
        extra=extra,
    )
