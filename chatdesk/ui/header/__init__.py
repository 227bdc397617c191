"""The bar above the conversation (`bar.py`): the thread's title and model, and the context ring
(`ring.py`) that shows how full the next request is, its breakdown on demand (`breakdown.py`,
loaded when first opened), in the words of `words.py`."""

from chatdesk.ui.header.bar import ThreadHeader, header_style, thread_title
from chatdesk.ui.header.words import gauge_level, short_count, usage_lines

__all__ = [
    "ThreadHeader",
    "gauge_level",
    "header_style",
    "short_count",
    "thread_title",
    "usage_lines",
]
