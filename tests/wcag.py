"""WCAG 2.2's contrast ratio of two "#rrggbb" colours, from their relative luminance: for the
tests that hold the window's looks and the documents chatdesk writes to AA (no Qt here)."""

from __future__ import annotations

TEXT = 4.5  # AA for text
PART = 3.0  # AA for the parts of a thing one needs to see (a quote's bar)


def _channel(value: int) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def luminance(colour: str) -> float:
    red, green, blue = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * _channel(red) + 0.7152 * _channel(green) + 0.0722 * _channel(blue)


def contrast(one: str, other: str) -> float:
    lighter, darker = sorted((luminance(one), luminance(other)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def token_colours(style_name: str) -> dict[str, str]:
    """Every colour a Pygments style gives a token that is not whitespace (whitespace joins the
    run around it when code is highlighted: chatdesk/core/render/code.py), by token."""
    from pygments.styles import get_style_by_name
    from pygments.token import Whitespace

    return {
        str(token): f"#{spec['color'].lower()}"
        for token, spec in get_style_by_name(style_name)
        if spec["color"] and token not in Whitespace
    }


def unreadable_code(style_name: str, ground: str, plain: str) -> list[str]:
    """The tokens of `style_name` (and its plain text, `plain`) under AA on `ground`."""
    colours = {"uncoloured text": plain, **token_colours(style_name)}
    return [
        f"{token} {colour} on {ground}: {contrast(colour, ground):.2f}"
        for token, colour in colours.items()
        if contrast(colour, ground) < TEXT
    ]
