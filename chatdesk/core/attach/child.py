"""The reading child's loop (started by `worker.py` through chatdesk/core/trust/children.py):
every attached file, and every page read from the web, is sniffed, decoded and extracted here.
Protocol: worker.py.
"""

from __future__ import annotations

import logging

from chatdesk.core.attach.model import Limits, PageAsk, PageText, Read, Unreadable
from chatdesk.core.i18n import tr
from chatdesk.core.trust.child_entry import Replies, Requests

log = logging.getLogger("chatdesk.attach")


def serve(requests: Requests, replies: Replies) -> None:
    """Read what arrives until the parent goes."""
    replies.send(("ready",))
    while True:
        number, name, data, asked = requests.recv()
        try:
            replies.send((number, _read(name, data, asked), None))
        except Unreadable as error:
            replies.send((number, None, str(error)))
        except MemoryError:
            replies.send((number, None, tr("it needs more memory to read than is free")))
        except Exception:  # a bug must cost this file, not the child
            log.exception("reading %s failed", "a page" if isinstance(asked, PageAsk) else "a file")
            replies.send((number, None, tr("it could not be read")))


def _read(name: str, data: bytes, asked: Limits | PageAsk) -> Read | PageText:
    if isinstance(asked, PageAsk):
        from chatdesk.core.attach.page import read_page

        return read_page(data, asked)
    from chatdesk.core.attach.reading import read

    return read(name, data, asked)
