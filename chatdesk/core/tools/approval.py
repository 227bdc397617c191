"""Who decides that a call runs: each server's policy, each tool's own, kept in the tools file
(`tools.json` in the config folder, 0600), and for "ask" the person, through an `Approver` the
window or the terminal provides. With no one to ask, a call that needs asking does not run."""

from __future__ import annotations

import enum
import json
import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from chatdesk.core.config import replace_file_atomically
from chatdesk.core.tools.model import Policy, ToolInfo

log = logging.getLogger("chatdesk.tools")


class Choice(enum.StrEnum):
    """The person's answer to one call."""

    ONCE = "once"  # allow this call
    ALWAYS = "always"  # allow this call and every later call of this tool
    DENY = "deny"


@dataclass(frozen=True)
class ApprovalRequest:
    """A call waiting for the person: the whole arguments, as the model wrote them."""

    message_id: uuid.UUID
    thread_id: uuid.UUID
    call_id: str
    tool: ToolInfo
    arguments: str


class Approver(Protocol):
    async def decide(self, requests: Sequence[ApprovalRequest]) -> Sequence[Choice]:
        """One choice per request, in order (several calls of one round are asked at once).
        Cancelled when the answer is stopped."""
        ...


class Policies:
    """Policies by server (`"files"`) and by tool (`"files/delete"`); a tool's own wins, then
    its server's, then the default for read-only tools (when set), then "ask"."""

    def __init__(self, path: Path | None) -> None:
        self._path = path
        self._rules: dict[str, Policy] = _load(path) if path is not None else {}

    def policy_for(self, tool: ToolInfo, *, read_only: Policy = Policy.ASK) -> Policy:
        """`read_only`: the policy of a tool that says it changes nothing, when neither it nor
        its server has a rule."""
        rule = self._rules.get(f"{tool.server}/{tool.name}") or self._rules.get(tool.server)
        if rule is not None:
            return rule
        return read_only if tool.read_only else Policy.ASK

    def rules(self) -> dict[str, Policy]:
        return dict(self._rules)

    def set(self, key: str, policy: Policy | None) -> None:
        """Set (or with None, drop) the rule for a server or a `server/tool`, and save it."""
        if policy is None:
            self._rules.pop(key, None)
        else:
            self._rules[key] = policy
        if self._path is not None:
            data = {"policies": {k: str(v) for k, v in sorted(self._rules.items())}}
            self._path.parent.mkdir(parents=True, exist_ok=True)
            replace_file_atomically(self._path, json.dumps(data, indent=2).encode())


def _load(path: Path) -> dict[str, Policy]:
    """The saved rules; an unreadable or damaged file leaves every tool at "ask" (the safe
    side) and says so in the log."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as error:
        log.warning("the tools file %s cannot be read (%s): every tool asks", path, error)
        return {}
    rules = data.get("policies") if isinstance(data, dict) else None
    if not isinstance(rules, dict):
        return {}
    known = {str(p) for p in Policy}
    return {str(k): Policy(v) for k, v in rules.items() if isinstance(v, str) and v in known}
