"""Model output → safe HTML for Qt's rich-text engine, and a worker process that bounds it.

Pure Python, no Qt: the UI shows `Rendered.html` in a QTextBrowser whose resource loader serves
only `Rendered.images`, and handles the `chatdesk:` action anchors (links.py).
"""

from chatdesk.core.render.images import ImageFetchFailed, fetch_image
from chatdesk.core.render.links import (
    COPY_CODE_PREFIX,
    LOAD_IMAGES_HREF,
    LinkTarget,
    classify_link,
)
from chatdesk.core.render.markdown import render_markdown
from chatdesk.core.render.model import Rendered, RenderOptions
from chatdesk.core.render.plain import render_plain
from chatdesk.core.render.streaming import stable_prefix_length
from chatdesk.core.render.worker import RenderWorker

__all__ = [
    "COPY_CODE_PREFIX",
    "LOAD_IMAGES_HREF",
    "ImageFetchFailed",
    "LinkTarget",
    "RenderOptions",
    "RenderWorker",
    "Rendered",
    "classify_link",
    "fetch_image",
    "render_markdown",
    "render_plain",
    "stable_prefix_length",
]
