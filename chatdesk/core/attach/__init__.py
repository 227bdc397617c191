"""Attachments: files and pasted images made ready to send, and their bytes kept once.

- `blobs.py` — the content-addressed store in the data folder (one file per SHA-256).
- `reading.py` and the readers it calls (`sniff.py`, `images.py`, `pdf.py`, `office.py`,
  `textual.py`) run in the reading child process only: every file is untrusted, so it is
  decoded where it can be killed, with a time bound and size caps (decision 0026). So does
  `page.py`, a page fetched from the web to the text a model reads (chatdesk/core/web/text.py
  asks for it; decision 0047).
- `worker.py` — that child, supervised by `chatdesk/core/trust/children.py`; `child.py`, its loop.
- `attacher.py` — a file or pasted bytes to an `AttachmentInput`: read, checked in the child,
  stored, described.
"""
