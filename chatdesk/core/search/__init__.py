"""Full-text search over messages and thread titles (SQLite FTS5), without Qt."""

from chatdesk.core.search.search import Search
from chatdesk.core.search.views import (
    MessageHit,
    Ranking,
    SearchFilters,
    SearchResults,
    Snippet,
    ThreadHit,
)

__all__ = [
    "MessageHit",
    "Ranking",
    "Search",
    "SearchFilters",
    "SearchResults",
    "Snippet",
    "ThreadHit",
]
