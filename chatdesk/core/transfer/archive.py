"""The archive of everything: a zip with one chatdesk JSON file per thread and a manifest.

    manifest.json            {"format": "chatdesk-archive", "version": 1, "exported_at": ...,
                              "projects": [...every project...],
                              "threads": [{"id", "title", "file", "messages"}, ...],
                              "memories": [...]}  only when asked for, as a memories
                                                  file lists them (memory/service.py)
    threads/<thread id>.json one thread in the chatdesk JSON format (native.py)

The zip is written entry by entry (each thread streams into its entry, read in one snapshot),
and the manifest last, so it lists only what is really inside. Threads in the trash are
included, still in the trash.
"""

from __future__ import annotations

import json
import zipfile
from dataclasses import dataclass
from typing import Any

from chatdesk.core.errors import InvalidRequest
from chatdesk.core.i18n import tr
from chatdesk.core.store.records import PROJECTS, BadRecord, from_json
from chatdesk.core.transfer.writing import Row

MANIFEST = "manifest.json"
ARCHIVE_FORMAT = "chatdesk-archive"
VERSION = 1


@dataclass(frozen=True)
class Manifest:
    projects: list[Row]
    files: list[str]  # the thread files, in the order written
    memories: list[Any]  # the memories it was written with (none unless asked for)


def thread_file(thread_id: Any) -> str:
    return f"threads/{thread_id}.json"


def manifest_json(
    exported_at: str,
    app: str,
    projects: list[dict[str, Any]],
    threads: list[dict[str, Any]],
    memories: list[dict[str, Any]] | None = None,
) -> str:
    manifest: dict[str, Any] = {
        "format": ARCHIVE_FORMAT,
        "version": VERSION,
        "exported_at": exported_at,
        "app": app,
        "projects": projects,
        "threads": threads,
    }
    if memories is not None:
        manifest["memories"] = memories
    return json.dumps(manifest, ensure_ascii=False, indent=1)


def read_manifest(archive: zipfile.ZipFile) -> Manifest:
    try:
        data = json.loads(archive.read(MANIFEST))
    except (ValueError, RecursionError) as error:
        raise InvalidRequest(
            tr("the archive's manifest is not valid JSON: {error}", error=error)
        ) from None
    if not isinstance(data, dict) or data.get("format") != ARCHIVE_FORMAT:
        raise InvalidRequest(tr("the zip has a manifest.json, but not a chatdesk archive's"))
    version = data.get("version")
    if not isinstance(version, int) or version > VERSION:
        raise InvalidRequest(
            tr(
                "the archive was written by a newer chatdesk (format version "
                "{version}); update chatdesk to import it",
                version=version,
            )
        )
    try:
        projects = [from_json(PROJECTS, record) for record in _list(data, "projects")]
        files = [_file(entry) for entry in _list(data, "threads")]
        memories = _list(data, "memories")
    except BadRecord as error:
        raise InvalidRequest(
            tr("the archive's manifest is damaged: {error}", error=error)
        ) from None
    return Manifest(projects, files, memories)


def _list(data: dict[str, Any], key: str) -> list[Any]:
    value = data.get(key, [])
    if not isinstance(value, list):
        raise BadRecord(tr("{key} is not a list", key=repr(key)))
    return value


def _file(entry: Any) -> str:
    name = entry.get("file") if isinstance(entry, dict) else None
    if not isinstance(name, str):
        raise BadRecord(tr("a thread entry names no file"))
    return name
