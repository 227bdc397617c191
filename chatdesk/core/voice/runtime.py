"""The optional runtimes of voice (decision 0074): what each extra of chatdesk's package holds,
whether it is installed, how large it is to fetch, and the service that installs it.

Speech to text on this computer (faster-whisper, with CTranslate2 and onnxruntime) and the
decoder of compressed audio files (PyAV, FFmpeg's libraries) are the `local-speech` and
`audio-files` extras of chatdesk's package, not part of its base install: they are fetched
when the user first chooses them. Which packages an extra installs is read from chatdesk's own
metadata, so that `pyproject.toml` stays the one list; the sizes below are the one table of
what they cost (a test checks it names exactly the extras' packages). Whether a runtime is
present is asked of the import system (`find_spec`), without importing anything.
"""

from __future__ import annotations

import asyncio
import importlib.machinery
import importlib.metadata
import importlib.util
import sys
from collections.abc import Callable, Sequence

from chatdesk.core.i18n import tr
from chatdesk.core.voice.runtime_kinds import (
    DISTRIBUTION,
    EXTRAS,
    LOCAL_SPEECH,
    PACKAGES,
    InstallFailed,
    InstallProblem,
    RuntimeState,
)


def is_frozen() -> bool:
    """Whether this is the desktop build (PyInstaller), which has no pip to add packages."""
    return bool(getattr(sys, "frozen", False))


def requirements_of(extra: str, distribution: str = DISTRIBUTION) -> tuple[str, ...]:
    """The requirements `extra` adds, as the installed distribution's metadata lists them
    (`faster-whisper<2,>=1.1`), markers evaluated for this system."""
    from packaging.requirements import Requirement

    try:
        listed = importlib.metadata.requires(distribution) or []
    except importlib.metadata.PackageNotFoundError:
        return ()
    found = []
    for line in listed:
        requirement = Requirement(line)
        marker = requirement.marker
        if marker is None or not marker.evaluate({"extra": extra}):
            continue  # base requirements have no extra; others are another extra's
        if marker.evaluate({"extra": ""}):
            continue  # not tied to this extra (a base requirement with a platform marker)
        requirement.marker = None
        found.append(str(requirement))
    return tuple(found)


def packages_of(requirements: Sequence[str]) -> tuple[str, ...]:
    """The package names of `requirements`, as written."""
    from packaging.requirements import Requirement

    return tuple(Requirement(line).name for line in requirements)


class Runtimes:
    """Voice's optional runtimes for the window and the command line: their state, and an
    install into chatdesk's own environment (`install`, a pip child; runtime_install.py).

    `python` is the interpreter whose environment gets them (chatdesk's own), `paths` where
    their presence is looked for (None: this process's import path)."""

    def __init__(
        self,
        python: str | None = None,
        paths: Sequence[str] | None = None,
        pip_options: Sequence[str] = (),
    ) -> None:
        self._python = python or sys.executable
        self._paths = list(paths) if paths is not None else None
        self._pip_options = tuple(pip_options)

    def state(self, extra: str) -> RuntimeState:
        """What `extra` costs and whether it is here; a cheap look at the import path."""
        if extra not in EXTRAS:
            raise InstallFailed(
                InstallProblem.UNKNOWN_EXTRA,
                tr("There is no runtime {name}: {names}.", name=extra, names=", ".join(EXTRAS)),
            )
        importlib.invalidate_caches()  # one installed a moment ago is found
        names = EXTRAS[extra].packages
        missing = tuple(name for name in names if not self._has(PACKAGES[name].module))
        return RuntimeState(
            extra,
            missing,
            sum(PACKAGES[name].download_mb for name in missing),
            sum(PACKAGES[name].disk_mb for name in missing),
            is_frozen(),
            requirements_of(extra),
        )

    async def look(self, extra: str) -> RuntimeState:
        """`state`, off the event loop (it reads folders of the import path)."""
        return await asyncio.to_thread(self.state, extra)

    async def install(self, extra: str, progress: Callable[[str], None]) -> RuntimeState:
        """Install `extra` with pip, each line pip prints handed to `progress`; the state after.
        Cancelling stops pip. Raises `InstallFailed` with the problem and what to do."""
        from chatdesk.core.voice.runtime_install import run_pip

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
        return after

    def _has(self, module: str) -> bool:
        if self._paths is None:
            return importlib.util.find_spec(module) is not None
        return importlib.machinery.PathFinder.find_spec(module, self._paths) is not None


def how_to_get(extra: str) -> str:
    """The sentence that says how to get `extra` where a feature needs it and it is missing."""
    state = Runtimes().state(extra)
    if state.frozen:
        return state.instead()
    if extra == LOCAL_SPEECH:  # the engine Preferences ▸ Voice offers to install
        return tr(
            "It needs a download of about {download} MB ({disk} MB on disk), once: Install in "
            "Preferences ▸ Voice, or `chatdesk voice install {extra}`; or choose a provider "
            "there instead.",
            download=state.download_mb,
            disk=state.disk_mb,
            extra=extra,
        )
    return tr(
        "It needs a download of about {download} MB ({disk} MB on disk), once: `chatdesk "
        "voice install {extra}`.",
        download=state.download_mb,
        disk=state.disk_mb,
        extra=extra,
    )
