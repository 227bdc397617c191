"""What an image costs in a request, in tokens.

chatdesk sends images at full detail. The rule is OpenAI's for its vision models (as its
vision guide describes it): the image is fitted within 2048×2048, then scaled so its short side
is at most 768; each 512-pixel tile costs 170 tokens, plus 85 for the image. Other providers'
rules land near it for the sizes chatdesk sends (Anthropic: width × height / 750, at most about
1,600), so it stands for them too, as an estimate on the safe side for small images.
"""

from __future__ import annotations

import math

BASE_TOKENS = 85
TILE_TOKENS = 170


def image_tokens(width: int, height: int) -> int:
    if width <= 0 or height <= 0:
        return BASE_TOKENS
    scale = min(1.0, 2048 / max(width, height))
    wide, high = width * scale, height * scale
    scale = min(1.0, 768 / min(wide, high))
    wide, high = wide * scale, high * scale
    tiles = math.ceil(wide / 512) * math.ceil(high / 512)
    return BASE_TOKENS + TILE_TOKENS * tiles
