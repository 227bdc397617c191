"""The extras of chatdesk's package, fetched when the user first wants them (decisions 0074
and 0075): what each holds, whether it is installed, how large it is to fetch, and the service
that installs it.

Speech to text on this computer (faster-whisper, with CTranslate2 and onnxruntime), the
decoder of compressed audio files (PyAV, FFmpeg's libraries) and the drawing of TeX formulas
(matplotlib's mathtext) are the `local-speech`, `audio-files` and `formulas` extras of
chatdesk's package, not part of its base install. Which packages an extra installs is read
from chatdesk's own metadata, so that `pyproject.toml` stays the one list; the sizes below are
the one table of what they cost (a test checks it names exactly the extras' packages). Whether
an extra is present is asked of the import system (`find_spec`), without importing anything.
"""

from __future__ import annotations

import asyncio
import importlib.machinery
import importlib.util
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from chatdesk.core.i18n import mark, tr

LOCAL_SPEECH = "local-speech"
AUDIO_FILES = "audio-files"
FORMULAS = "formulas"
DISTRIBUTION = "chatdesk"


@dataclass(frozen=True)
class Package:
    """A package an extra names, with what it brings that chatdesk's base install lacks:
    megabytes to download (its wheels) and on disk once installed. Measured on Linux x86-64
    with Python 3.11 (decisions 0074, 0075); other systems are within a few tens of percent."""

    module: str  # what it is imported as: its presence is this module's
    download_mb: int
    disk_mb: int


# The one table of sizes, by the name each extra gives the package in pyproject.toml.
PACKAGES: dict[str, Package] = {
    # faster-whisper with CTranslate2, onnxruntime, tokenizers, huggingface-hub and hf-xet
    "faster-whisper": Package("faster_whisper", download_mb=80, disk_mb=265),
    # PyAV with FFmpeg's libraries
    "av": Package("av", download_mb=35, disk_mb=105),
    # matplotlib with fontTools, kiwisolver, contourpy, cycler and pyparsing
    "matplotlib": Package("matplotlib", download_mb=16, disk_mb=74),
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
    FORMULAS: Extra(FORMULAS, mark("Drawing TeX formulas"), ("matplotlib",)),
}


@dataclass(frozen=True)
class ExtraState:
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
        if self.extra in (LOCAL_SPEECH, AUDIO_FILES):  # voice has another way: a provider
            return tr(
                "This desktop build of chatdesk cannot add it ({download} MB to download). "
                "Choose a provider in Preferences ▸ Voice instead, or install chatdesk with pip "
                "and this extra: pip install 'chatdesk[{extra}]'.",
                download=self.download_mb,
                extra=self.extra,
            )
        return tr(
            "This desktop build of chatdesk cannot add it ({download} MB to download): install "
            "chatdesk with pip and this extra instead: pip install 'chatdesk[{extra}]'.",
            download=self.download_mb,
            extra=self.extra,
        )


def is_frozen() -> bool:
    """Whether this is the desktop build (PyInstaller), which has no pip to add packages."""
    return bool(getattr(sys, "frozen", False))


def requirements_of(
    extra: str, distribution: str = DISTRIBUTION, paths: Sequence[str] | None = None
) -> tuple[str, ...]:
    """The requirements `extra` adds, as the installed distribution's metadata lists them
    (`faster-whisper<2,>=1.1`), markers evaluated for this system: the metadata found in
    `paths` (the environment an install goes to) when it is there, else this process's."""
    import importlib.metadata

    from packaging.requirements import Requirement

    found = (
        []
        if paths is None
        else list(importlib.metadata.distributions(name=distribution, path=list(paths)))
    )
    try:
        listed = found[0].requires if found else importlib.metadata.requires(distribution)
    except importlib.metadata.PackageNotFoundError:
        return ()
    chosen = []
    for line in listed or []:
        requirement = Requirement(line)
        marker = requirement.marker
        if marker is None or not marker.evaluate({"extra": extra}):
            continue  # base requirements have no extra; others are another extra's
        if marker.evaluate({"extra": ""}):
            continue  # not tied to this extra (a base requirement with a platform marker)
        requirement.marker = None
        chosen.append(str(requirement))
    return tuple(chosen)


def packages_of(requirements: Sequence[str]) -> tuple[str, ...]:
    """The package names of `requirements`, as written."""
    from packaging.requirements import Requirement

    return tuple(Requirement(line).name for line in requirements)


class Extras:
    """chatdesk's extras for the window and the command line: their state, and an install into
    chatdesk's own environment (`install`, a pip child; extras_install.py).

    `python` is the interpreter whose environment gets them (chatdesk's own), `paths` where
    their presence is looked for (None: this process's import path); `installed` is told the
    name of each extra installed (the render worker starts a fresh child for formulas)."""

    def __init__(
        self,
        python: str | None = None,
        paths: Sequence[str] | None = None,
        pip_options: Sequence[str] = (),
        installed: Callable[[str], None] | None = None,
    ) -> None:
        self._python = python or sys.executable
        self._paths = list(paths) if paths is not None else None
        self._pip_options = tuple(pip_options)
        self._installed = installed

    def states(self) -> list[ExtraState]:
        """Every extra's state, in the order of `EXTRAS`."""
        return [self.state(name) for name in EXTRAS]

    def state(self, extra: str) -> ExtraState:
        """What `extra` costs and whether it is here; a cheap look at the import path."""
        from chatdesk.core.extras_install import InstallFailed, InstallProblem  # pip's, on use

        if extra not in EXTRAS:
            raise InstallFailed(
                InstallProblem.UNKNOWN_EXTRA,
                tr("There is no extra {name}: {names}.", name=extra, names=", ".join(EXTRAS)),
            )
        importlib.invalidate_caches()  # one installed a moment ago is found
        names = EXTRAS[extra].packages
        missing = tuple(name for name in names if not self._has(PACKAGES[name].module))
        return ExtraState(
            extra,
            missing,
            sum(PACKAGES[name].download_mb for name in missing),
            sum(PACKAGES[name].disk_mb for name in missing),
            is_frozen(),
            requirements_of(extra, paths=self._paths),
        )

    async def look(self, extra: str) -> ExtraState:
        """`state`, off the event loop (it reads folders of the import path)."""
        return await asyncio.to_thread(self.state, extra)

    async def install(self, extra: str, progress: Callable[[str], None]) -> ExtraState:
        """Install `extra` with pip, each line pip prints handed to `progress`; the state after.
        Cancelling stops pip. Raises `InstallFailed` with the problem and what to do."""
        from chatdesk.core.extras_install import InstallFailed, InstallProblem, run_pip

        state = self.state(extra)
        if state.present:
            return state
        if state.frozen:
            raise InstallFailed(InstallProblem.FROZEN, state.instead())
        if not state.requirements:
            raise InstallFailed(
                InstallProblem.UNKNOWN_EXTRA,
                tr(
                    "This installation of chatdesk does not list the {extra} extra: install "
                    "chatdesk again with pip (pip install 'chatdesk[{extra}]').",
                    extra=extra,
                ),
            )
        await run_pip(self._python, state, self._pip_options, progress)
        after = self.state(extra)
        if not after.present:
            raise InstallFailed(
                InstallProblem.FAILED,
                tr(
                    "pip installed {packages}, but chatdesk does not find them: restart "
                    "chatdesk and try again.",
                    packages=", ".join(after.missing),
                ),
            )
        if self._installed is not None:
            self._installed(extra)
        return after

    def _has(self, module: str) -> bool:
        if self._paths is None:
            return importlib.util.find_spec(module) is not None
        return importlib.machinery.PathFinder.find_spec(module, self._paths) is not None


def how_to_get(extra: str) -> str:
    """The sentence that says how to get `extra` where a feature needs it and it is missing."""
    state = Extras().state(extra)
    if state.frozen:
        return state.instead()
    return tr(
        "It needs a download of about {download} MB ({disk} MB on disk), once: `chatdesk "
        "install {extra}`.",
        download=state.download_mb,
        disk=state.disk_mb,
        extra=extra,
    )
