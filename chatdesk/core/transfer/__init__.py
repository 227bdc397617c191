"""Export and import: threads to Markdown, safe HTML and lossless chatdesk JSON, everything to
one archive; chatdesk files and ChatGPT data exports (every branch) back in.

`Transfer` (service.py) is the API; an import's batches, progress and report are batches.py's;
the formats are described in the modules that write them (native.py, archive.py,
as_markdown.py, as_html.py) and read them (chatgpt.py, sources.py).
"""

from __future__ import annotations

from chatdesk.core.transfer.batches import Cancel, ImportProgress, ImportReport
from chatdesk.core.transfer.service import ArchiveReport, ExportFormat, ExportProgress, Transfer
from chatdesk.core.transfer.sources import Problem

__all__ = [
    "ArchiveReport",
    "Cancel",
    "ExportFormat",
    "ExportProgress",
    "ImportProgress",
    "ImportReport",
    "Problem",
    "Transfer",
]
