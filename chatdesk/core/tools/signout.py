"""How signing out of a remote MCP server went: told by the revocation (signin_revoke.py) to the
sign-in (signin.py) and on to the user."""

from __future__ import annotations

from dataclasses import dataclass

from chatdesk.core.i18n import tr


@dataclass(frozen=True)
class SignedOut:
    """How signing out of `server` went: `revoked`, or why the tokens were only forgotten
    here (`unrevoked`; "" with `revoked` False: there were none to revoke)."""

    server: str
    revoked: bool = False
    unrevoked: str = ""

    @property
    def line(self) -> str:
        """What the user is told."""
        if self.unrevoked:
            return tr(
                "Signed out of {server} on this computer only: {reason}",
                server=self.server,
                reason=self.unrevoked,
            )
        return tr("Signed out of {server}", server=self.server)
