"""The render child's loop (started by `worker.py` through chatdesk/core/trust/children.py).

It imports markdown-it and Pygments when it starts and the math library when asked: nothing of
the worker's asyncio side, nothing of the window. Protocol: worker.py.
"""

from __future__ import annotations

import gc
import logging
import os
import sys

from chatdesk.core.i18n import mark, tr
from chatdesk.core.trust.child_entry import Replies, Requests

log = logging.getLogger("chatdesk.render")

FAILED = mark("could not be formatted")  # shown as `tr(FAILED)`


def serve(requests: Requests, replies: Replies) -> None:
    """Render what arrives until the parent goes."""
    os.environ.setdefault("MPLBACKEND", "Agg")  # matplotlib must never pick a GUI backend
    from chatdesk.core.render.markdown import render_markdown
    from chatdesk.core.render.plain import render_plain
    from chatdesk.core.render.tentative import closed_tentatively

    _freeze_imports()
    replies.send(("ready",))
    math_loaded = False
    while True:
        number, kind, text, options = requests.recv()
        if kind == "math":
            from chatdesk.core.render.formulas import load_math

            math_loaded = load_math()  # False: matplotlib is not installed
            if math_loaded:
                _freeze_imports()
            replies.send((number, None, math_loaded))
            continue
        try:
            closed = closed_tentatively(text) if options.tentative else text
            rendered = render_markdown(closed, options)
        except Exception:  # a bug must cost this message its formatting, not the child
            log.exception("rendering failed")
            rendered = render_plain(text, tr(FAILED), options.palette, options.reading.line_height)
        if not math_loaded and "matplotlib" in sys.modules:
            math_loaded = True
            _freeze_imports()
        replies.send((number, rendered, math_loaded))


def _freeze_imports() -> None:
    """Keep imported modules out of garbage collection: with matplotlib loaded a full
    collection walks ~70,000 objects (~50 ms), which would land inside random renders."""
    gc.collect()
    gc.freeze()
