"""What the offline mock provider says of a message's attachments: deterministic, so the demo
and the tests show the whole flow without a vision model. An image is described from the
pixels it was sent as (its size and dominant colour, Pillow loaded on first use); a document
from the fence its text came in (its type, pages and first words)."""

from __future__ import annotations

import io
import re
from typing import Any

from chatdesk.core.providers.base import ChatMessage, ImagePart

_FENCE = re.compile(
    r'<attachment name="(?P<name>[^"]*)"(?: type="(?P<type>[^"]*)")?(?: note="[^"]*")?'
    r"(?P<image>/)?>(?(image)|\n(?P<body>.*?)\n</attachment>)",
    re.DOTALL,
)
FIRST_WORDS = 12


def describe_attachments(message: ChatMessage) -> str:
    """A paragraph on each attachment of `message`, or "" when it has none. Decodes images:
    run it off the event loop."""
    lines = []
    images = iter(message.images)
    for fence in _FENCE.finditer(message.content):
        name, kind = fence["name"], fence["type"] or "text"
        if fence["image"]:
            image = next(images, None)
            seen = _seen(image) if image is not None else "not sent to me"
            lines.append(f"- **{name}**: an image, {seen}.")
        else:
            text = (fence["body"] or "").splitlines()
            body = " ".join(line for line in text if not line.startswith("--- "))
            words = " ".join(body.split()[:FIRST_WORDS])
            start = f", beginning “{words}…”" if words else ", with no text in it"
            lines.append(f"- **{name}**: {_article(kind)} {kind}{start}")
    if not lines:
        return ""
    count = len(lines)
    return f"I received {count} attachment{'s' if count != 1 else ''}:\n\n" + "\n".join(lines)


def _seen(image: ImagePart) -> str:
    from PIL import Image

    try:
        with Image.open(io.BytesIO(image.data)) as picture:
            picture.draft("RGB", (64, 64))
            width, height = picture.size if not image.width else (image.width, image.height)
            small = picture.convert("RGB")
            small.thumbnail((64, 64))
    except (OSError, ValueError, SyntaxError):
        return "which I could not decode"
    colours: list[Any] = small.quantize(colors=8).convert("RGB").getcolors(64 * 64) or []
    red, green, blue = (int(value) for value in max(colours)[1]) if colours else (0, 0, 0)
    named = _colour_name(red, green, blue)
    return f"{width}×{height} pixels, mostly {named} (#{red:02x}{green:02x}{blue:02x})"


def _colour_name(red: int, green: int, blue: int) -> str:
    high, low = max(red, green, blue), min(red, green, blue)
    if high < 48:
        return "black"
    if high - low < 24:
        return "white" if high > 220 else "grey"
    if high == red:
        if blue > 0.6 * red and blue > green:
            return "pink"
        return "red" if green < 0.35 * red else "orange" if green < 0.75 * red else "yellow"
    if high == green:
        return "green" if blue < 0.8 * green else "teal"
    return "blue" if red < 0.6 * blue else "purple"


def _article(kind: str) -> str:
    return "an" if kind[:1].lower() in "aeiou" else "a"


def without_fences(text: str) -> str:
    """The user's own words of a message, without the attachments' fences."""
    return _FENCE.sub("", text).strip()
