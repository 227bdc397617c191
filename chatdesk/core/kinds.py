"""What a message is and where it stands: the enums the store, the service and the window share.

Kept apart from the ORM models so the window can use them without loading SQLAlchemy before its
first paint; `chatdesk.core.store.models` stores them as text columns.
"""

from __future__ import annotations

import enum


class Origin(enum.StrEnum):
    """Where a thread was made, when not in chatdesk itself (`threads.origin`; None: here)."""

    API = "api"  # through the local API, to be kept: an ordinary chat with the API's mark
    # For one answer through the local API (an assistant's, not to be kept), removed for good
    # once it has ended: listed, searched and named nowhere meanwhile.
    API_ONCE = "api-once"


class ChatErrorKind(enum.StrEnum):
    """Why an answer or a request failed when chatdesk, not the provider, says so (what the
    provider says is `ErrorKind`, in `chatdesk.core.providers.base`). An answer's `error_type`
    holds one of either, as text: it is stored, synced to teammates and exported, so a value
    never changes, and one this chatdesk does not know (a newer one's) is kept and shown as
    it is."""

    STOPPED = "stopped"  # by the user, or in ChatGPT before an import
    TOOL_ROUNDS = "tool_rounds"  # the tools settings' limit of rounds was reached
    APP_EXIT = "app_exit"  # chatdesk closed or died while the answer streamed
    # The newest message alone does not fit the model's context window, so nothing was sent
    # (the server's refusal of a whole conversation is `ErrorKind.CONVERSATION_TOO_LONG`).
    MESSAGE_TOO_LONG = "context_too_long"
    # A message with images was refused before anything was written: its model does not take
    # them (the window offers to choose another model).
    IMAGES_NOT_TAKEN = "images_not_taken"
    # A request was refused before anything was written: a spending cap is reached (the window
    # offers to send it anyway).
    CAP_REACHED = "cap_reached"
    INVALID = "invalid"  # refused by chatdesk for another reason (the detail says which)
    INTERNAL = "internal"  # a bug: the detail names the exception
    INCOMPLETE = "incomplete"  # imported from ChatGPT unfinished
    CHATGPT = "chatgpt"  # imported from ChatGPT, which reported it as failed


class Role(enum.StrEnum):
    SYSTEM = "system"
    USER = "user"
    ASSISTANT = "assistant"
    TOOL = "tool"


MIN_COMPARED, MAX_COMPARED = 2, 4  # how many models one comparison asks


class Status(enum.StrEnum):
    PENDING = "pending"
    STREAMING = "streaming"
    COMPLETE = "complete"
    ERROR = "error"
    INTERRUPTED = "interrupted"

    @property
    def is_final(self) -> bool:
        return self in (Status.COMPLETE, Status.ERROR, Status.INTERRUPTED)


class AnswerStage(enum.StrEnum):
    """How far an answer being written has got with its provider (never stored: a front-end
    says it while the answer is written)."""

    CONNECTING = "connecting"  # the request is on its way; the provider has not answered yet
    WAITING = "waiting"  # the provider took it; the model's first words have not come yet
    WRITING = "writing"  # the model's words (or a call to a tool) are arriving


class AttachmentKind(enum.StrEnum):
    """What an attachment is, as stored (`attachments.kind`) and carried by exports and sync; a
    kind unknown here (a newer chatdesk's) is kept and shown as a file."""

    PASTE = "paste"  # a large paste, kept as text
    FILE = "file"  # a text file
    DOCUMENT = "document"  # PDF, Office, OpenDocument, a web page: text with page markers
    IMAGE = "image"


class PartKind(enum.StrEnum):
    REASONING = "reasoning"
    ATTACHMENT = "attachment"
    TOOL_CALL = "tool_call"
    TOOL_RESULT = "tool_result"
    ERROR = "error"
    SOURCE = "source"  # a passage of a knowledge base the answer was given (decision 0028)
    CUT = "cut"  # a document of the question sent in part to fit the model (views.DocumentCut)


class TurnKind(enum.StrEnum):
    """How a turn starts: what is added to the thread before an answer is written."""

    SEND = "send"  # a new user message at the end of the branch on screen
    EDIT = "edit"  # a changed copy of a user message, beside it
    REGENERATE = "regenerate"  # another answer beside an answer (or below a question with none)
    CONTINUE = "continue"  # the same, interrupted or failed, answer goes on


class Approval(enum.StrEnum):
    """How a call was decided, as stored with it."""

    ALLOWED = "allowed"  # by the tool's policy
    APPROVED = "approved"  # by the user, for this call
    ALWAYS = "always"  # by the user, for this call and the tool's later ones
    DENIED = "denied"  # by the user
    REFUSED = "refused"  # by the tool's policy, or no one was there to ask
    UNKNOWN = "unknown"  # the model named a tool it was not offered


class CallState(enum.StrEnum):
    """Where a stored call stands."""

    WAITING = "waiting"  # for the user's decision
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"  # it ran and reported an error, timed out or its server died
    NOT_RUN = "not_run"  # denied, refused or unknown: the model was told why
    NOT_FINISHED = "not_finished"  # chatdesk stopped or died while it waited or ran
    STREAMING = "streaming"  # on screen only, never stored: the model is still writing it

    @property
    def is_open(self) -> bool:
        return self in (CallState.WAITING, CallState.RUNNING)
