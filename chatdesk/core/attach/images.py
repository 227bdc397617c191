"""An image made safe to keep and send (in the reading child only; Pillow is imported here).

Decoding is bounded before it starts: the header's size is checked against `max_pixels` (a
decompression bomb is a small file that decodes to gigabytes), and Pillow's own check is made
an error. The copy kept and sent is upright (the EXIF orientation applied), at most
`image_max_side` on its long side and `image_max_bytes` long, re-encoded (JPEG, or PNG when it
has transparency) without EXIF, ICC or text chunks: no GPS position or camera serial leaves the
machine. A thumbnail for the window is made from the same decoded pixels."""

from __future__ import annotations

import io
import math
import warnings
from typing import Any

from chatdesk.core.attach.model import IMAGE, Limits, Read, Unreadable
from chatdesk.core.i18n import ntr, number, tr

JPEG_QUALITY = 85
THUMB_QUALITY = 80


def read_image(data: bytes, mime: str, limits: Limits) -> Read:
    from PIL import Image, ImageOps, UnidentifiedImageError

    Image.MAX_IMAGE_PIXELS = limits.max_pixels
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            picture: Any = Image.open(io.BytesIO(data))
            width, height = picture.size
            if width * height > limits.max_pixels:
                raise Unreadable(_too_big(width, height, limits))
            frames = getattr(picture, "n_frames", 1)
            if picture.format == "JPEG":  # decode at a fraction of the size when that suffices
                scale = min(1.0, limits.image_max_side / max(width, height))
                picture.draft("RGB", (math.ceil(width * scale), math.ceil(height * scale)))
            picture.load()
            picture = ImageOps.exif_transpose(picture)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise Unreadable(
            tr(
                "it would decode to more than {megapixels} megapixels, the most "
                "an attached image may have",
                megapixels=f"{limits.max_pixels / 1e6:.0f}",
            )
        ) from error
    except UnidentifiedImageError as error:
        raise Unreadable(tr("the image is damaged, or in a form chatdesk cannot read")) from error
    except (OSError, SyntaxError, ValueError, EOFError) as error:  # Pillow's "broken data"
        raise Unreadable(tr("the image is damaged ({error})", error=error)) from error
    notes = [ntr("the first of {n} frame", "the first of {n} frames", frames)] if frames > 1 else []
    return finished(picture, limits, notes, given=(width, height))


def finished(
    picture: Any,
    limits: Limits,
    notes: list[str] | None = None,
    given: tuple[int, int] | None = None,
) -> Read:
    """A decoded picture as an attached image: scaled to `image_max_side`, re-encoded (JPEG,
    or PNG when it has transparency) within `image_max_bytes`, with its thumbnail; `given`:
    its size as it came, for the note of a scaled one."""
    from PIL import Image

    width, height = given or picture.size
    alpha = _has_alpha(picture)
    picture = picture.convert("RGBA" if alpha else "RGB")
    picture.thumbnail((limits.image_max_side, limits.image_max_side), Image.Resampling.LANCZOS)
    kept, kept_mime = _encode(picture, alpha, limits.image_max_bytes)
    thumb = picture.copy()
    thumb.thumbnail((limits.thumb_side, limits.thumb_side), Image.Resampling.BILINEAR)
    scaled = (
        [tr("{width}×{height}, scaled down", width=width, height=height)]
        if max(picture.size) < max(width, height)
        else []
    )
    return Read(
        IMAGE,
        kept_mime,
        width=picture.width,
        height=picture.height,
        note="; ".join(scaled + (notes or [])),
        image=kept,
        thumbnail=_encode(thumb, alpha, limits.image_max_bytes, quality=THUMB_QUALITY)[0],
    )


def _too_big(width: int, height: int, limits: Limits) -> str:
    return tr(
        "it is {width}×{height} pixels; images up to {megapixels} megapixels can be attached",
        width=number(width),
        height=number(height),
        megapixels=f"{limits.max_pixels / 1e6:.0f}",
    )


def _has_alpha(picture: Any) -> bool:
    if picture.mode in ("RGBA", "LA", "PA"):
        return bool(picture.getextrema()[-1][0] < 255)  # an alpha channel that is used
    return picture.mode == "P" and "transparency" in picture.info


def _encode(
    picture: Any, alpha: bool, max_bytes: int, quality: int = JPEG_QUALITY
) -> tuple[bytes, str]:
    """PNG for transparency, else JPEG; smaller (quality, then size) until it fits."""
    from PIL import Image

    while True:
        out = io.BytesIO()
        if alpha:
            picture.save(out, "PNG", optimize=False)
        else:
            picture.save(out, "JPEG", quality=quality, optimize=True)
        if out.tell() <= max_bytes or max(picture.size) <= 64:
            return out.getvalue(), "image/png" if alpha else "image/jpeg"
        if not alpha and quality > 60:
            quality -= 15
        else:
            picture = picture.resize(
                (max(1, picture.width * 3 // 4), max(1, picture.height * 3 // 4)),
                Image.Resampling.LANCZOS,
            )
