"""What an answer's end says of its provider: ready once an answer completes; offline, its key
refused or rate limited when a failure says so; nothing when the thread, not the provider, was
the problem, or the user stopped the answer. The status bar shows it (`ProviderStateChanged`)."""

from __future__ import annotations

from chatdesk.core.chat.events import ProviderStateChanged
from chatdesk.core.i18n import mark, tr
from chatdesk.core.kinds import ChatErrorKind, Status
from chatdesk.core.providers.base import ErrorKind
from chatdesk.core.providers.state import ProviderState
from chatdesk.core.views import MessageView

# The thread, not the provider, is the problem: the provider's state stays as it is.
_SAYS_NOTHING_ABOUT_THE_PROVIDER = (
    ChatErrorKind.STOPPED,
    ChatErrorKind.MESSAGE_TOO_LONG,
    ErrorKind.CONVERSATION_TOO_LONG,
)

_PROVIDER_STATES: dict[str, tuple[ProviderState, str]] = {
    ErrorKind.CONNECTION: (ProviderState.OFFLINE, mark("cannot reach the provider")),
    ErrorKind.TIMEOUT: (ProviderState.OFFLINE, mark("the provider does not answer")),
    ErrorKind.STALLED: (ProviderState.OFFLINE, mark("the provider stopped sending")),
    ErrorKind.AUTH: (ProviderState.AUTH, mark("the API key was refused")),
    ErrorKind.PERMISSION: (ProviderState.AUTH, mark("the API key may not use this model")),
    ErrorKind.RATE_LIMIT: (ProviderState.RATE_LIMITED, mark("rate limited by the provider")),
    ErrorKind.QUOTA: (ProviderState.RATE_LIMITED, mark("the provider's quota is used up")),
}


def provider_state_after(answer: MessageView) -> ProviderStateChanged | None:
    """The provider's state as `answer`, stored in its final state, shows it (None: it says
    nothing about the provider)."""
    if answer.provider is None or answer.error_type in _SAYS_NOTHING_ABOUT_THE_PROVIDER:
        return None
    state, detail = _PROVIDER_STATES.get(answer.error_type or "", (ProviderState.ERROR, ""))
    detail = tr(detail) if detail else ""
    if answer.status is Status.COMPLETE:
        state, detail = ProviderState.READY, ""
    elif answer.status is Status.INTERRUPTED and answer.error_type != ErrorKind.CUT_OFF:
        return None  # stopped by the user or by closing: says nothing about the provider
    return ProviderStateChanged(answer.provider, state, detail or (answer.error_detail or ""))
