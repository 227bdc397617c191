"""A real HTTP server on 127.0.0.1 that serves a model the way the model hub does: a file list
with sizes and checksums at /api/models/REPO/tree/main, the files at /REPO/resolve/main/PATH,
with Range requests answered 206. It can break a file off after some bytes (once), or damage a
byte of it, and records the Range of each request."""

from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any


@dataclass
class ModelHub:
    repository: str
    folder: Path  # the model's files, served as they are
    break_after: dict[str, int] = field(default_factory=dict)  # file: bytes, then the socket closes
    damaged: set[str] = field(default_factory=set)  # files served with one byte changed
    ranges: list[tuple[str, str | None]] = field(default_factory=list)  # (file, Range header)
    _server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def listing(self) -> list[dict[str, Any]]:
        entries: list[dict[str, Any]] = [
            {"type": "file", "path": ".gitattributes", "size": 1, "oid": "0" * 40}
        ]
        for path in sorted(self.folder.iterdir()):
            data = path.read_bytes()
            entry: dict[str, Any] = {"type": "file", "path": path.name, "size": len(data)}
            if len(data) > 1_000_000:  # as the hub keeps large files: in LFS, by SHA-256
                entry["oid"] = "f" * 40
                entry["lfs"] = {"oid": hashlib.sha256(data).hexdigest(), "size": len(data)}
            else:
                blob = f"blob {len(data)}\0".encode() + data
                entry["oid"] = hashlib.sha1(blob, usedforsecurity=False).hexdigest()
            entries.append(entry)
        return entries

    def start(self) -> ModelHub:
        hub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                if self.path == f"/api/models/{hub.repository}/tree/main":
                    self._send(200, json.dumps(hub.listing()).encode(), {})
                    return
                prefix = f"/{hub.repository}/resolve/main/"
                name = self.path.removeprefix(prefix)
                path = hub.folder / name
                if not self.path.startswith(prefix) or not path.is_file():
                    self._send(404, b"not found", {})
                    return
                self._file(name, path.read_bytes())

            def _file(self, name: str, data: bytes) -> None:
                asked = self.headers.get("Range")
                hub.ranges.append((name, asked))
                if name in hub.damaged:
                    data = data[:-1] + bytes([data[-1] ^ 0xFF])
                start = int(asked.removeprefix("bytes=").rstrip("-")) if asked else 0
                status = 206 if asked else 200
                headers = {"Content-Range": f"bytes {start}-{len(data) - 1}/{len(data)}"}
                cut = hub.break_after.pop(name, None)
                self._send(status, data[start:], headers if asked else {}, cut=cut)

            def _send(
                self, status: int, body: bytes, headers: dict[str, str], cut: int | None = None
            ) -> None:
                self.send_response(status)
                self.send_header("Content-Length", str(len(body)))
                for key, value in headers.items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(body if cut is None else body[:cut])
                if cut is not None:
                    self.close_connection = True

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def close(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
