"""Image bytes recognised and measured: PNG, JPEG or GIF, and their size in pixels, read from
the header alone (nothing is decoded). The render child uses it for images the user asked to
load; fetching them (`images.py`) is the window's, so this module imports nothing of the web.
"""

from __future__ import annotations

from dataclasses import dataclass

MAX_BYTES = 5_000_000
MAX_PIXELS = 40_000_000  # more would take Qt hundreds of MB to decode
MAX_DISPLAY_WIDTH = 640
_JPEG_FRAME_MARKERS = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}


@dataclass(frozen=True)
class ImageInfo:
    kind: str  # "png" | "jpeg" | "gif"
    width: int
    height: int

    def display_size(self) -> tuple[int, int]:
        """Width and height to show it at: no wider than a message column."""
        if self.width <= MAX_DISPLAY_WIDTH:
            return self.width, self.height
        return MAX_DISPLAY_WIDTH, max(1, self.height * MAX_DISPLAY_WIDTH // self.width)


def image_info(data: bytes) -> ImageInfo | None:
    """Kind and pixel size of a PNG, JPEG or GIF Qt can decode; None for anything else, for a
    malformed header and for images too large to decode safely."""
    size = _png_size(data) or _gif_size(data) or _jpeg_size(data)
    if size is None or len(data) > MAX_BYTES:
        return None
    kind, width, height = size
    if not 0 < width * height <= MAX_PIXELS:
        return None
    return ImageInfo(kind, width, height)


def _png_size(data: bytes) -> tuple[str, int, int] | None:
    if not data.startswith(b"\x89PNG\r\n\x1a\n") or data[12:16] != b"IHDR" or len(data) < 24:
        return None
    return "png", int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


def _gif_size(data: bytes) -> tuple[str, int, int] | None:
    if not data.startswith((b"GIF87a", b"GIF89a")) or len(data) < 10:
        return None
    return "gif", int.from_bytes(data[6:8], "little"), int.from_bytes(data[8:10], "little")


def _jpeg_size(data: bytes) -> tuple[str, int, int] | None:
    """Walks the segments up to the first frame header, which holds the size."""
    if not data.startswith(b"\xff\xd8"):
        return None
    at = 2
    while at + 9 <= len(data):
        if data[at] != 0xFF:
            return None
        marker = data[at + 1]
        if marker == 0xFF:  # fill byte
            at += 1
        elif marker in _JPEG_FRAME_MARKERS:
            height = int.from_bytes(data[at + 5 : at + 7], "big")
            return "jpeg", int.from_bytes(data[at + 7 : at + 9], "big"), height
        elif marker == 0x01 or 0xD0 <= marker <= 0xD7:  # markers without a length
            at += 2
        else:
            at += 2 + int.from_bytes(data[at + 2 : at + 4], "big")
    return None
