"""What an MCP tool call gave back, as chatdesk keeps it: its text blocks, its other blocks
named, its images (the first `MAX_IMAGES`), its structured result."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from chatdesk.core.answer_parts import ResultResource
from chatdesk.core.tools.model import ToolImage, ToolOutcome
from chatdesk.core.tools.result_resources import result_resource
from chatdesk.core.tools.structured import mismatch, structured_text

if TYPE_CHECKING:
    from mcp_types import CallToolResult

MAX_IMAGES = 4  # images kept of one result (the others are named in its text)


MISMATCH_NOTE = "[chatdesk: the structured result does not match the tool's output schema: {}]"


def outcome_of(result: CallToolResult, schema: Mapping[str, Any] | None = None) -> ToolOutcome:
    """A tool's result: its text blocks, other blocks named (an image by its type and size),
    its structured result when it gave nothing else, and its first `MAX_IMAGES` images; its
    structured result kept beside them, checked against the tool's output `schema` (not for
    a result that says it is an error)."""
    from mcp_types import ImageContent, TextContent

    pieces: list[str] = []
    images: list[ToolImage] = []
    resources: list[ResultResource] = []
    for block in result.content:
        if isinstance(block, TextContent):
            pieces.append(block.text)
        elif isinstance(block, ImageContent):
            pieces.append(_image_block(block.mime_type, block.data, images))
        elif (resource := result_resource(block)) is not None:  # a link, or embedded
            resources.append(resource[0])
            pieces.append(resource[1])
        else:
            pieces.append(f"[{getattr(block, 'type', 'other')} content]")
    if not pieces and result.structured_content is not None:
        pieces.append(json.dumps(result.structured_content, ensure_ascii=False))
    wrong = "" if result.is_error else mismatch(result.structured_content, schema)
    if wrong:
        pieces.append(MISMATCH_NOTE.format(wrong))
    text = "\n\n".join(pieces)
    return ToolOutcome(
        text,
        is_error=result.is_error,
        size=len(text),
        images=tuple(images),
        structured=structured_text(result.structured_content),
        mismatch=wrong,
        resources=tuple(resources),
    )


def _image_block(mime: str, encoded: str, images: list[ToolImage]) -> str:
    """An image block named in the result's text; its bytes kept in `images` when they decode
    and there is room."""
    mime = " ".join(str(mime).split())[:100] or "unknown type"
    size = len(encoded) * 3 // 4
    said = f"[image, {mime}, {size:,} bytes"
    if len(images) >= MAX_IMAGES:
        return f"{said}, not kept: at most {MAX_IMAGES} images per result]"
    try:
        data = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        return f"{said}, not kept: its data is not base64]"
    images.append(ToolImage(mime, data))
    return said + "]"
