"""The reading child's loop (started by `worker.py` through chatdesk/core/trust/children.py):
every attached file is sniffed, decoded and extracted here. Protocol: worker.py.
"""

from __future__ import annotations

import logging

from chatdesk.core.attach.model import Unreadable
from chatdesk.core.i18n import tr
from chatdesk.core.trust.child_entry import Replies, Requests

log = logging.getLogger("chatdesk.attach")


def serve(requests: Requests, replies: Replies) -> None:
    """Read what arrives until the parent goes."""
    from chatdesk.core.attach.reading import read

    replies.send(("ready",))
    while True:
        number, name, data, limits = requests.recv()
        try:
            replies.send((number, read(name, data, limits), None))
        except Unreadable as error:
            replies.send((number, None, str(error)))
        except MemoryError:
            replies.send((number, None, tr("it needs more memory to read than is free")))
        except Exception:  # a bug must cost this file, not the child
            log.exception("reading an attachment failed")
            replies.send((number, None, tr("it could not be read")))
