"""A ChatGPT conversation (one element of `conversations.json`) as a chatdesk thread.

ChatGPT keeps a conversation as a tree: `mapping` holds every node with its `parent` and
`children`, and `current_node` is the end of the branch that was on screen. Every branch is
kept: regenerated answers and edited questions become siblings, and the path to
`current_node` becomes the thread's active branch. Nodes without a message (the root), hidden
ones (`is_visually_hidden_from_conversation`: the empty system prompt, custom instructions),
settings and empty messages are left out, their children joining the nearest kept ancestor.
Reasoning nodes (thoughts, the recap) are folded into the next assistant message as its
reasoning part.

Ids are derived from ChatGPT's ids (ids.py), so importing the same export again finds what
the first import stored. A sibling's id carries its time, made strictly increasing among its
siblings: chatdesk orders branches by id, and so they keep ChatGPT's order.
"""

from __future__ import annotations

import mimetypes
import uuid
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from chatdesk.core.attach.model import Read
from chatdesk.core.i18n import mark, ntr, tr
from chatdesk.core.kinds import AttachmentKind, ChatErrorKind, PartKind, Role, Status
from chatdesk.core.store.blobs import digest
from chatdesk.core.store.records import ATTACHMENTS, MESSAGES, PARTS, THREADS, blank
from chatdesk.core.transfer.chatgpt_content import (
    REASONING_TYPES,
    SETTINGS_TYPES,
    Body,
    Placeholder,
    Thought,
    body_of,
    thought_of,
)
from chatdesk.core.transfer.ids import derived_id, to_ms
from chatdesk.core.transfer.tree import BrokenTree, settle
from chatdesk.core.transfer.writing import ImportedThread, Row

PROVIDER = "chatgpt"
SOURCE = "chatgpt"
_ROLES = {"system": Role.SYSTEM, "user": Role.USER, "assistant": Role.ASSISTANT}
_UNTITLED = mark("ChatGPT conversation")


class Malformed(ValueError):
    """A conversation that cannot be imported; the message says why."""


@dataclass(frozen=True)
class Assets:
    """The files of a ChatGPT export zip, by the asset id their names start with. `image`
    turns an image file of the export into the copy chatdesk keeps (read in the reading child;
    None when it cannot be read); without it, images stay placeholders that name the file."""

    files: Mapping[str, str] = field(default_factory=dict)
    image: Callable[[str], Read | None] | None = None

    def file_for(self, placeholder: Placeholder) -> str | None:
        return self.files.get(placeholder.asset)

    def image_for(self, placeholder: Placeholder) -> Read | None:
        if placeholder.kind != "image" or self.image is None:
            return None
        return self.image(placeholder.asset) if self.file_for(placeholder) else None


@dataclass
class _Pending:
    """Reasoning waiting for the message it belongs to."""

    key: str
    thought: Thought
    model: str | None
    created_ms: int | None


@dataclass
class _Draft:
    key: str  # ChatGPT's node id
    parent: str | None  # the key of the nearest kept ancestor
    role: Role
    body: Body
    message: dict[str, Any]
    reasoning: list[_Pending]
    model: str | None = None
    created_ms: int | None = None
    id: uuid.UUID | None = None  # derived once the siblings are known


def convert(conversation: Any, assets: Assets = Assets()) -> ImportedThread:
    """The thread for one conversation; `Malformed` when it cannot be one."""
    if not isinstance(conversation, dict):
        raise Malformed(tr("it is not a JSON object"))
    source_id = conversation.get("conversation_id") or conversation.get("id")
    if not isinstance(source_id, str) or not source_id:
        raise Malformed(tr("it has no id"))
    mapping = conversation.get("mapping")
    if not isinstance(mapping, dict):
        raise Malformed(tr("it has no message tree ('mapping')"))
    converter = _Converter(source_id, mapping, assets)
    drafts = converter.walk()
    if not drafts:
        raise Malformed(tr("it has no messages to import"))
    return converter.thread(conversation, drafts)


class _Converter:
    def __init__(self, source_id: str, mapping: dict[str, Any], assets: Assets) -> None:
        self._source = source_id
        self._mapping = mapping
        self._assets = assets
        self._kept_for: dict[str, str | None] = {}
        self.notes: list[str] = []

    # -- walking the tree ------------------------------------------------------------------------

    def walk(self) -> list[_Draft]:
        """Kept messages, parents first; each node's nearest kept ancestor remembered."""
        children = self._children()
        drafts: list[_Draft] = []
        stack: list[tuple[str, str | None, tuple[_Pending, ...]]] = [
            (key, None, ()) for key in reversed(children[None])
        ]
        while stack:
            key, parent, pending = stack.pop()
            kept, pending = self._visit(key, parent, pending, drafts)
            below = children[key]
            if pending and not below:  # reasoning that no message follows
                kept = self._hold(pending, kept, drafts)
                pending = ()
            self._kept_for[key] = kept
            stack.extend((child, kept, pending) for child in reversed(below))
        left_out = len(self._mapping) - len(self._kept_for)
        if left_out:
            self.notes.append(
                ntr(
                    "{n} message in a loop of parent links was left out",
                    "{n} messages in a loop of parent links were left out",
                    left_out,
                )
            )
        return drafts

    def _children(self) -> defaultdict[str | None, list[str]]:
        """Each node's children in ChatGPT's order (roots under None), from parent links."""
        found: defaultdict[str | None, list[str]] = defaultdict(list)
        for key, node in self._mapping.items():
            if not isinstance(node, dict):
                raise Malformed(tr("node {key} is not an object", key=repr(key)))
            parent = node.get("parent")
            known = isinstance(parent, str) and parent in self._mapping
            found[parent if known else None].append(key)
        for parent, keys in found.items():
            if parent is not None:
                keys.sort(key=_position_in(self._mapping[parent].get("children")))
        return found

    def _visit(
        self, key: str, parent: str | None, pending: tuple[_Pending, ...], drafts: list[_Draft]
    ) -> tuple[str | None, tuple[_Pending, ...]]:
        """Keep, fold or skip one node; returns the kept parent and reasoning for below."""
        message = self._mapping[key].get("message")
        if not isinstance(message, dict) or _hidden(message):
            return parent, pending
        content = message.get("content")
        if not isinstance(content, dict):
            return parent, pending
        kind = content.get("content_type")
        if kind in REASONING_TYPES:
            step = _Pending(key, thought_of(content), _model(message), _created(message))
            return parent, (*pending, step)
        draft = self._draft(key, parent, message, content)
        if draft is None:
            return parent, pending
        if pending and draft.role is not Role.ASSISTANT:
            draft.parent = self._hold(pending, parent, drafts)
            pending = ()
        draft.reasoning = list(pending)
        drafts.append(draft)
        return key, ()

    def _draft(
        self, key: str, parent: str | None, message: dict[str, Any], content: dict[str, Any]
    ) -> _Draft | None:
        if content.get("content_type") in SETTINGS_TYPES:
            return None
        author = _object(message.get("author"))
        role_name = str(author.get("role") or "")
        recipient = message.get("recipient")
        name = author.get("name")
        body = body_of(
            content,
            role_name,
            recipient if isinstance(recipient, str) else None,
            name if isinstance(name, str) else None,
        )
        if not body.text.strip() and not body.parts:
            return None
        role = _ROLES.get(role_name, Role.TOOL)
        model = _model(message) if role is not Role.USER else None
        return _Draft(key, parent, role, body, message, [], model, _created(message))

    def _hold(self, pending: tuple[_Pending, ...], parent: str | None, drafts: list[_Draft]) -> str:
        """An answer of reasoning only, for reasoning that no answer follows."""
        first = pending[0]
        holder = _Draft(
            first.key,
            parent,
            Role.ASSISTANT,
            Body(""),
            {},
            list(pending),
            first.model,
            first.created_ms,
        )
        drafts.append(holder)
        return holder.key

    # -- rows ------------------------------------------------------------------------------------

    def thread(self, conversation: dict[str, Any], drafts: list[_Draft]) -> ImportedThread:
        created_ms = to_ms(conversation.get("create_time"))
        updated_ms = to_ms(conversation.get("update_time"))
        times = [d.created_ms for d in drafts if d.created_ms is not None]
        start_ms = created_ms if created_ms is not None else min(times, default=0)
        end_ms = max([updated_ms or start_ms, *times])
        thread_id = derived_id(start_ms, SOURCE, self._source)
        self._assign_ids(drafts, start_ms)
        ids = {d.key: d.id for d in drafts if d.id is not None}
        messages = [self._message_row(d, thread_id, ids) for d in drafts]
        current = conversation.get("current_node")
        wanted = self._kept_for.get(current) if isinstance(current, str) else None
        try:
            leaf = settle(messages, ids.get(wanted) if wanted else None)
        except BrokenTree as error:  # the walk lists parents first; this would be a bug
            raise Malformed(str(error)) from None
        row = blank(THREADS) | {
            "id": thread_id,
            "title": _title(conversation.get("title"), drafts),
            "pinned": bool(conversation.get("is_starred") or conversation.get("pinned_time")),
            "archived": bool(conversation.get("is_archived")),
            "active_leaf_id": leaf,
            "message_count": len(messages),
            "created_at": _time(start_ms),
            "updated_at": _time(end_ms),
            "last_activity_at": _time(end_ms),
        }
        label = f"{row['title']!r} ({self._source})"
        imported = ImportedThread(label, row, messages)
        for draft in drafts:
            self._add_parts(imported, draft)
        imported.notes.extend(self.notes)
        return imported

    def _assign_ids(self, drafts: list[_Draft], start_ms: int) -> None:
        """Times for every draft (a parent's, or the conversation's, when it has none) and ids
        whose times increase strictly among siblings, in ChatGPT's order."""
        siblings: defaultdict[str | None, list[_Draft]] = defaultdict(list)
        effective: dict[str, int] = {}
        for draft in drafts:
            inherited = effective.get(draft.parent, start_ms) if draft.parent else start_ms
            effective[draft.key] = draft.created_ms if draft.created_ms is not None else inherited
            draft.created_ms = effective[draft.key]
            siblings[draft.parent].append(draft)
        for group in siblings.values():
            group.sort(key=lambda d: effective[d.key])  # stable: ChatGPT's order on ties
            last = -1
            for draft in group:
                last = max(effective[draft.key], last + 1)
                draft.id = derived_id(last, SOURCE, self._source, draft.key)

    def _message_row(self, draft: _Draft, thread_id: uuid.UUID, ids: dict[str, uuid.UUID]) -> Row:
        parent = ids[draft.parent] if draft.parent else None
        if draft.message:
            status, error_type, detail = _status(draft.message)
        else:
            status, error_type, detail = _UNFINISHED[0], _UNFINISHED[1], tr(_UNFINISHED[2])
        created = _time(draft.created_ms or 0)
        updated_ms = to_ms(draft.message.get("update_time")) if draft.message else None
        updated = _time(max(updated_ms or 0, draft.created_ms or 0))
        return blank(MESSAGES) | {
            "id": ids[draft.key],
            "thread_id": thread_id,
            "parent_id": parent,
            "depth": 0,
            "role": draft.role,
            "status": status,
            "content": draft.body.text,
            "provider": PROVIDER if draft.role is not Role.USER else None,
            "model": draft.model,
            "error_type": error_type,
            "error_detail": detail,
            "created_at": created,
            "completed_at": updated if status.is_final else None,
            "updated_at": updated,
        }

    def _add_parts(self, imported: ImportedThread, draft: _Draft) -> None:
        message_id = draft.id
        assert message_id is not None  # given by _assign_ids
        ms = draft.created_ms or 0
        if draft.reasoning:
            imported.parts.append(self._reasoning_part(message_id, ms, draft))
        for position, part in enumerate(draft.body.parts, start=1):
            key = (SOURCE, self._source, draft.key, f"part {position}")
            row = blank(PARTS) | {
                "id": derived_id(ms, *key),
                "message_id": message_id,
                "position": position,
                "kind": part.kind,
                "data": part.data,
            }
            if part.placeholder is not None:
                attachment_id = derived_id(ms, *key, "file")
                attachment = self._attachment(part.placeholder, attachment_id, ms)
                image = self._assets.image_for(part.placeholder)
                if image is not None and image.image is not None:  # the real image, kept
                    attachment |= _image_columns(image)
                    imported.blobs += [image.image, *filter(None, [image.thumbnail])]
                imported.attachments.append(attachment)
                row["attachment_id"] = attachment["id"]
                row["data"] = {"kind": part.placeholder.kind}
            imported.parts.append(row)

    def _reasoning_part(self, message_id: uuid.UUID, ms: int, draft: _Draft) -> Row:
        texts = [p.thought.text for p in draft.reasoning if p.thought.text]
        recaps = [p.thought.recap for p in draft.reasoning if p.thought.recap]
        text = "\n\n".join(texts) or "\n".join(recaps)
        return blank(PARTS) | {
            "id": derived_id(ms, SOURCE, self._source, draft.key, "reasoning"),
            "message_id": message_id,
            "position": 0,
            "kind": PartKind.REASONING,
            "text": text,
            "data": {"recap": recaps[-1]} if recaps and texts else None,
        }

    def _attachment(self, placeholder: Placeholder, attachment_id: uuid.UUID, ms: int) -> Row:
        """A placeholder row: the file's name, type and size, no bytes."""
        in_export = self._assets.file_for(placeholder)
        name = in_export or placeholder.asset
        mime = mimetypes.guess_type(name)[0] or f"{placeholder.kind}/*"
        return blank(ATTACHMENTS) | {
            "id": attachment_id,
            "name": name[:500],
            "mime": mime[:200],
            "size": placeholder.size,
            "sha256": "",  # unknown: the bytes were not imported
            "created_at": _time(ms),
        }


def _image_columns(image: Read) -> Row:
    """What an image taken from the export sets on its attachment row (its name stays)."""
    assert image.image is not None
    return {
        "mime": image.mime,
        "size": len(image.image),
        "sha256": digest(image.image),
        "blob": True,
        "kind": AttachmentKind.IMAGE.value,
        "width": image.width,
        "height": image.height,
        "note": image.note or None,
        "thumb": digest(image.thumbnail) if image.thumbnail else None,
    }


_UNFINISHED = (
    Status.INTERRUPTED,
    ChatErrorKind.INCOMPLETE,
    mark("ChatGPT's answer ended after its reasoning."),
)


def _status(message: dict[str, Any]) -> tuple[Status, str | None, str | None]:
    state = str(message.get("status") or "finished_successfully")
    finish = _object(message.get("metadata")).get("finish_details")
    if isinstance(finish, dict) and finish.get("type") == "interrupted":
        said = tr("Stopped in ChatGPT before the answer was complete.")
        return Status.INTERRUPTED, ChatErrorKind.STOPPED, said
    if state == "in_progress" or state == "finished_partial_completion":
        return (
            Status.INTERRUPTED,
            ChatErrorKind.INCOMPLETE,
            tr("ChatGPT had not finished this answer."),
        )
    if "error" in state:
        said = tr("ChatGPT reported this answer as {state}.", state=repr(state))
        return Status.ERROR, ChatErrorKind.CHATGPT, said
    return Status.COMPLETE, None, None


def _hidden(message: dict[str, Any]) -> bool:
    return bool(_object(message.get("metadata")).get("is_visually_hidden_from_conversation"))


def _model(message: dict[str, Any]) -> str | None:
    slug = _object(message.get("metadata")).get("model_slug")
    return slug[:200] if isinstance(slug, str) and slug else None


def _object(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _created(message: dict[str, Any]) -> int | None:
    return to_ms(message.get("create_time"))


def _position_in(children: Any) -> Any:
    order = {key: n for n, key in enumerate(children)} if isinstance(children, list) else {}
    return lambda key: order.get(key, len(order))


def _title(title: Any, drafts: list[_Draft]) -> str:
    if isinstance(title, str) and title.strip():
        return " ".join(title.split())[:300]
    first = next((d.body.text for d in drafts if d.role is Role.USER), "")
    return " ".join(first.split())[:80] or tr(_UNTITLED)


def _time(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, UTC)
