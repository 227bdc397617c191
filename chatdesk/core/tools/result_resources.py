"""Resource links and embedded resources in a tool's result: kept on its outcome as small values
(`ResultResource`), named in the text the model reads, stored with the call's result (its
part's data) and read back for its card.

An embedded text is kept up to `MAX_EMBEDDED_TEXT` characters (the model reads it in the result
too); an embedded blob is named with its type and size, its bytes not kept: attaching it reads
its URI from the server again."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from chatdesk.core.answer_parts import ResultResource

MAX_EMBEDDED_TEXT = 100_000  # characters of an embedded resource's text kept with its call
MAX_KEPT = 20  # resources kept of one result (the others are only named in its text)
MAX_FIELD = 2_000  # characters of a URI, a name or a type kept


def _plain(text: object) -> str:
    return " ".join(str(text or "").split())[:MAX_FIELD]


def result_resource(block: Any) -> tuple[ResultResource, str] | None:
    """A result's block as a resource and the text the model reads of it; None for a block that
    is neither a resource link nor an embedded resource."""
    from mcp_types import EmbeddedResource, ResourceLink

    if isinstance(block, ResourceLink):
        size = block.size if isinstance(block.size, int) and block.size >= 0 else None
        kept = ResultResource(
            _plain(block.uri), _plain(block.title or block.name), _plain(block.mime_type), size
        )
        said = f"[resource link: {kept.label} <{kept.uri}>" + (
            f", {kept.mime}]" if kept.mime else "]"
        )
        return kept, said
    if isinstance(block, EmbeddedResource):
        content = block.resource
        uri, mime = _plain(content.uri), _plain(content.mime_type)
        text = getattr(content, "text", None)
        if isinstance(text, str):
            kept = ResultResource(uri, "", mime, len(text.encode()), True, text[:MAX_EMBEDDED_TEXT])
            return kept, f"[embedded resource <{uri}>]\n{text}"
        size = len(str(getattr(content, "blob", ""))) * 3 // 4
        kept = ResultResource(uri, "", mime, size, True)
        return kept, f"[embedded resource <{uri}>, {mime or 'binary'}, {size:,} bytes]"
    return None


def stored(resources: Iterable[ResultResource]) -> list[dict[str, Any]]:
    """As kept in the result part's data (without the server: the call names it)."""
    return [
        {"uri": r.uri, "name": r.name, "mime": r.mime, "size": r.size, "embedded": r.embedded}
        | ({"text": r.text} if r.text is not None else {})
        for r in list(resources)[:MAX_KEPT]
    ]


def read_back(data: object, server: object) -> tuple[ResultResource, ...]:
    """What `stored` kept (a result stored before resources were kept has none)."""
    if not isinstance(data, list):
        return ()
    found = []
    for item in data:
        if isinstance(item, dict) and isinstance(item.get("uri"), str):
            size = item.get("size")
            text = item.get("text")
            found.append(
                ResultResource(
                    item["uri"],
                    str(item.get("name") or ""),
                    str(item.get("mime") or ""),
                    size if isinstance(size, int) else None,
                    bool(item.get("embedded")),
                    text if isinstance(text, str) else None,
                    str(server or ""),
                )
            )
    return tuple(found)
