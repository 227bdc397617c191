"""Real databases for the backup and recovery tests: filled through the service, damaged on
purpose by overwriting pages of the file, and read back with plain sqlite3."""

from __future__ import annotations

import hashlib
import random
import sqlite3
from pathlib import Path
from typing import Any

from chatdesk.core.service import ChatService


async def fill(service: ChatService, threads: int, turns: int, tag: str = "") -> list[str]:
    """`threads` threads of `turns` questions and answers each; returns their titles."""
    titles = []
    for t in range(threads):
        title = f"{tag}thread {t}"
        thread = await service.create_thread(title=title)
        for turn in range(turns):
            asked = await service.send(thread.id, f"{tag}question {t}.{turn} about lighthouses")
            await service.wait_for_answer(asked.answer.id)
        titles.append(title)
    return titles


def rows(database: Path, sql: str, *params: object) -> list[tuple[Any, ...]]:
    connection = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:
        return connection.execute(sql, params).fetchall()
    finally:
        connection.close()


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def leaf_pages(database: Path, table: str) -> list[int]:
    """The b-tree leaf pages holding `table`'s rows, in file order (SQLite's dbstat table)."""
    found = rows(
        database,
        "SELECT pageno FROM dbstat WHERE name = ? AND pagetype = 'leaf' ORDER BY pageno",
        table,
    )
    return [page for (page,) in found]


def damage_page(database: Path, page: int, seed: int = 7) -> None:
    """Overwrite page `page` (1-based) of the file with random bytes, as a failing disk might."""
    size = rows(database, "PRAGMA page_size")[0][0]
    noise = random.Random(seed).randbytes(size)
    with open(database, "r+b") as handle:
        handle.seek((page - 1) * size)
        handle.write(noise)


def damage_middle_of(database: Path, table: str) -> int:
    pages = leaf_pages(database, table)
    assert len(pages) >= 5, f"{table} fills only {len(pages)} pages: too small to damage"
    page = pages[len(pages) // 2]
    damage_page(database, page)
    return page


def damage_table(database: Path, table: str) -> None:
    """Damage one of `table`'s pages, however few it has (for a backup that must not verify)."""
    pages = leaf_pages(database, table)
    damage_page(database, pages[len(pages) // 2])
