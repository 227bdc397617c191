"""Where a document's extracted text marks its pages, slides and sheets ("--- Page 3 ---"), as
the readers (pdf.py, office.py) write it: what cuts a long document where a page begins, and
reads pages back by number."""

from __future__ import annotations

import re

MARKER = re.compile(r"^--- (Page \d+|Slide \d+|Sheet: [^\n]*) ---$", re.MULTILINE)


def sections(body: str, first: int, last: int) -> tuple[str, int]:
    """The pages, slides or sheets `first` to `last` (counted from 1) of a document's text, and
    how many it has (0: it has no markers)."""
    starts = [m.start() for m in MARKER.finditer(body)]
    if not starts:
        return "", 0
    ends = [*starts[1:], len(body)]
    chosen = [body[a:b].strip() for a, b in list(zip(starts, ends, strict=True))[first - 1 : last]]
    return "\n\n".join(chosen), len(starts)
