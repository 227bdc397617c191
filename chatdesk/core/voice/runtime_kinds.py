"""The optional runtimes of voice (decision 0074), as data: each extra of chatdesk's package,
the one table of what its packages cost, an extra's state in this installation, and why an
install of one did not happen. `runtime.py` looks and installs; `runtime_install.py` runs pip.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from chatdesk.core.i18n import mark, tr
from chatdesk.core.voice.audio import VoiceError

LOCAL_SPEECH = "local-speech"
AUDIO_FILES = "audio-files"
DISTRIBUTION = "chatdesk"


@dataclass(frozen=True)
class Package:
    """A package an extra names, with what it brings that chatdesk's base install lacks:
    megabytes to download (its wheels) and on disk once installed. Measured on Linux x86-64
    with Python 3.11 (decision 0074); other systems are within a few tens of percent."""

    module: str  # what it is imported as: its presence is this module's
    download_mb: int
    disk_mb: int


# The one table of sizes, by the name each extra gives the package in pyproject.toml.
PACKAGES: dict[str, Package] = {
    # faster-whisper with CTranslate2, onnxruntime, tokenizers, huggingface-hub and hf-xet
    "faster-whisper": Package("faster_whisper", download_mb=80, disk_mb=265),
    # PyAV with FFmpeg's libraries
    "av": Package("av", download_mb=35, disk_mb=105),
}


@dataclass(frozen=True)
class Extra:
    """An extra of chatdesk's package: its name, what it gives, the packages it installs."""

    name: str
    gives: str  # marked: shown with tr()
    packages: tuple[str, ...]


EXTRAS: dict[str, Extra] = {
    LOCAL_SPEECH: Extra(
        LOCAL_SPEECH, mark("Speech to text on this computer"), ("faster-whisper", "av")
    ),
    AUDIO_FILES: Extra(AUDIO_FILES, mark("Reading MP3, M4A, OGG, FLAC and WebM files"), ("av",)),
}


class InstallProblem(enum.Enum):
    """Why an install did not happen, each with what the user can do."""

    FROZEN = "frozen"  # the desktop build: nothing can be added to it
    NO_PIP = "no_pip"  # chatdesk's Python has no pip
    NO_NETWORK = "no_network"  # the package index could not be reached
    NOT_FOUND = "not_found"  # the index has no version of a package that fits
    DISK_FULL = "disk_full"
    NOT_WRITABLE = "not_writable"  # the environment may not be changed by this user, or by pip
    UNKNOWN_EXTRA = "unknown_extra"  # this installation's metadata does not name the extra
    FAILED = "failed"  # anything else pip said


class InstallFailed(VoiceError):
    """An install of a runtime that did not happen: `problem` says why, the message what to
    do. Nothing was changed, unless pip itself was stopped in the middle."""

    def __init__(self, problem: InstallProblem, message: str) -> None:
        super().__init__(message)
        self.problem = problem


@dataclass(frozen=True)
class RuntimeState:
    """An extra as this installation has it."""

    extra: str
    missing: tuple[str, ...]  # its packages not installed
    download_mb: int  # what the missing ones cost to fetch
    disk_mb: int  # and on disk
    frozen: bool  # the desktop build, which cannot install it
    requirements: tuple[str, ...] = field(default=(), compare=False)  # as the metadata says

    @property
    def present(self) -> bool:
        return not self.missing

    def offer(self) -> str:
        """The sentence that offers it: what it gives and what it costs."""
        return tr(
            "{gives} needs a download of about {download} MB ({disk} MB on disk), once.",
            gives=tr(EXTRAS[self.extra].gives),
            download=self.download_mb,
            disk=self.disk_mb,
        )

    def instead(self) -> str:
        """What to do where it cannot be installed (the desktop build)."""
        return tr(
            "This desktop build of chatdesk cannot add it ({download} MB to download). Choose "
            "a provider in Preferences ▸ Voice instead, or install chatdesk with pip and this "
            "extra: pip install 'chatdesk[{extra}]'.",
            download=self.download_mb,
            extra=self.extra,
        )
