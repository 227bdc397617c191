"""Who decides that a call runs: each server's policy, each tool's own (kept in the tools file,
`tools_file.py`), and for "ask" the person, through an `Approver` the window or the terminal
provides. With no one to ask, a call that needs asking does not run."""

from __future__ import annotations

import enum
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from chatdesk.core.tools.model import Policy, ToolInfo


class Choice(enum.StrEnum):
    """The person's answer to one call."""

    ONCE = "once"  # allow this call
    ALWAYS = "always"  # allow this call and every later call of this tool
    DENY = "deny"
    NO_ONE = "no_one"  # there was no one to ask (no terminal, no window): it does not run


@dataclass(frozen=True)
class Edited:
    """Allow this call with the arguments the person changed (a memory's words, edited on its
    card before it is kept): a JSON object, as the model's arguments are."""

    arguments: str


@dataclass(frozen=True)
class ApprovalRequest:
    """A call waiting for the person: the whole arguments, as the model wrote them."""

    message_id: uuid.UUID
    thread_id: uuid.UUID
    call_id: str
    tool: ToolInfo
    arguments: str


class Approver(Protocol):
    async def decide(self, requests: Sequence[ApprovalRequest]) -> Sequence[Choice | Edited]:
        """One choice per request, in order (several calls of one round are asked at once).
        Cancelled when the answer is stopped."""
        ...


class Policies:
    """Policies by server (`"files"`) and by tool (`"files/delete"`); a tool's own wins, then
    its server's, then the default for read-only tools (when set), then "ask". `saved` is
    called after every change (it writes the tools file)."""

    def __init__(
        self, rules: Mapping[str, Policy] | None = None, saved: Callable[[], None] | None = None
    ) -> None:
        self._rules: dict[str, Policy] = dict(rules or {})
        self._saved = saved

    def policy_for(self, tool: ToolInfo, *, read_only: Policy = Policy.ASK) -> Policy:
        """`read_only`: the policy of a tool that says it changes nothing, when neither it nor
        its server has a rule. A tool that says it may delete or change things asks under its
        server's "allow": only its own rule lets it run unasked."""
        own = self._rules.get(f"{tool.server}/{tool.name}")
        if own is not None:
            return own
        rule = self._rules.get(tool.server)
        if rule is Policy.ALLOW and tool.destructive:
            return Policy.ASK
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
        if self._saved is not None:
            self._saved()

    def forget_server(self, server: str) -> None:
        """Drop the rules of a server and of its tools (it was removed)."""
        for key in [k for k in self._rules if k == server or k.startswith(f"{server}/")]:
            del self._rules[key]
