"""Model output → safe HTML for Qt's rich-text engine, and a worker process that bounds it.

Pure Python, no Qt. How the UI uses it:

- One `RenderWorker` for the app (its child starts with the first message, or `start()`, and
  stops when idle), `await render(text, options)` for each message (never `render_markdown`
  on the GUI thread for model text), `await aclose()` at exit. A frozen (PyInstaller) build's
  entry point must hand the child's start to `chatdesk.core.trust.child_entry` first
  (packaging/chatdesk_main.py), as for every child.
- Show `Rendered.html` in a QTextBrowser whose `loadResource` serves only `Rendered.images`
  (by the name in `src`, e.g. "math:<sha1>.png") and nothing else, with `setOpenLinks(False)`.
  On `anchorClicked`, `classify_link(url)` (`chatdesk/core/trust/links.py`): "action" →
  `chatdesk:copy-code/N` copies `code_blocks[N]`, `chatdesk:load-images` fetches
  `remote_images` with `fetch_image` (off the GUI thread) and re-renders with
  `RenderOptions(load_remote_images=True, remote_image_data=...)`; "external" → confirm
  showing `host`, then open; "refused" → nothing.
- Streaming: keep `cut` per message; on each update `cut2 = stable_prefix_length(text, cut)`
  (cost ∝ the tail), render `text[cut:cut2]` once when it grew (with `code_block_offset` = code
  blocks so far) and `text[cut2:]` as the tail; render the whole message once when it completes.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from chatdesk.core.render.images import ImageFetchFailed, fetch_image
    from chatdesk.core.render.markdown import render_markdown
    from chatdesk.core.render.model import Rendered, RenderOptions
    from chatdesk.core.render.plain import render_plain
    from chatdesk.core.render.streaming import stable_prefix_length
    from chatdesk.core.render.worker import RenderWorker

# Where each name lives. Loaded on first use: importing a light part (the worker, the
# data classes) must not pull in markdown-it and Pygments, which only the worker process needs.
_HOME = {
    "ImageFetchFailed": "images",
    "RenderOptions": "model",
    "RenderWorker": "worker",
    "Rendered": "model",
    "fetch_image": "images",
    "render_markdown": "markdown",
    "render_plain": "plain",
    "stable_prefix_length": "streaming",
}


def __getattr__(name: str) -> Any:
    if name not in _HOME:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{_HOME[name]}"), name)


__all__ = [
    "ImageFetchFailed",
    "RenderOptions",
    "RenderWorker",
    "Rendered",
    "fetch_image",
    "render_markdown",
    "render_plain",
    "stable_prefix_length",
]
