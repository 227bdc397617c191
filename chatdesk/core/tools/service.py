"""The tools as the rest of chatdesk sees them: the sources (`Toolbox`), the saved policies, the
approver the window or terminal puts in place, and the settings that bound every call."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from chatdesk.core.config import Settings
from chatdesk.core.tools.approval import Approver, Policies
from chatdesk.core.tools.model import Policy, ToolInfo, ToolSource
from chatdesk.core.tools.toolbox import Toolbox

TOOLS_FILE = "tools.json"


class Tools:
    def __init__(
        self,
        settings: Callable[[], Settings],
        config_dir: Path | None,
        sources: tuple[ToolSource, ...] = (),
    ) -> None:
        self._settings = settings
        self.box = Toolbox(sources)
        self.policies = Policies(config_dir / TOOLS_FILE if config_dir is not None else None)
        # Set by the window or the terminal; with none, a call that needs asking never runs.
        self.approver: Approver | None = None

    @property
    def settings(self) -> Settings:
        return self._settings()

    def policy_for(self, tool: ToolInfo) -> Policy:
        return self.policies.policy_for(tool, read_only=Policy(self.settings.tools.read_only))
