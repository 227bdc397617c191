"""Keeps the JavaScript that chatdesk's artifacts run: pinned npm packages, copied as files.

    .venv/bin/python packaging/vendor_js.py update   # fetches the pinned versions from npm
    .venv/bin/python packaging/vendor_js.py check    # the committed copies, offline

Artifacts (Mermaid diagrams, HTML pages, React components) are drawn in a sandboxed web engine
without a network, so the libraries they need ship inside the package, in
`chatdesk/core/artifacts/web/`: one folder per npm package with its single-file browser build
and its licence (decision 0101). `update` downloads each pinned package's tarball from the npm
registry, refuses it unless its SHA-512 is the registry's `dist.integrity`, takes out only the
files named in `PINNED` and the package's licence, and writes them with `MANIFEST.json`, which
says for every file where it came from (package, version, the tarball's integrity, its path in
the tarball), its SHA-256 and size, and its licence. `check` reads only the disk: every file of
the manifest present and unchanged, nothing else in the folder, every licence allowed and
shipped, every version the one pinned here (`tests/packaging/test_vendored_js.py` runs it).

To move to a newer version, change it in `PINNED`, run `update`, look at the difference and run
`tests/packaging/test_artifacts_offline.py`, which draws a diagram and mounts a component with
the new files in Chromium.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import re
import sys
import tarfile
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
WEB = ROOT / "chatdesk" / "core" / "artifacts" / "web"
MANIFEST = "MANIFEST.json"
REGISTRY = "https://registry.npmjs.org"
TIMEOUT = 120  # seconds for one request; Mermaid's tarball is about 26 MB

# Licences that let chatdesk (MIT) ship a copy, as SPDX names in the packages' package.json.
ALLOWED_LICENCES = frozenset(
    {"MIT", "ISC", "Apache-2.0", "BSD-2-Clause", "BSD-3-Clause", "0BSD", "Zlib"}
)
LICENCE_NAME = re.compile(r"^(?:LICEN[CS]E|COPYING)(?:[.-][\w.-]*)?$", re.IGNORECASE)
EXACT_VERSION = re.compile(r"^\d+\.\d+\.\d+$")
# A package's licence covers its own code; a one-file build also holds its dependencies'. These
# mark code under a licence chatdesk may not ship, bundled into a file whose package is MIT.
BUNDLED_ELSEWHERE = {b"org.eclipse.elk": "elkjs (EPL-2.0 or GPL-3.0), bundled by Mermaid 12"}


@dataclass(frozen=True)
class Pin:
    """One npm package at one exact version, and the files of its tarball chatdesk ships."""

    name: str
    version: str
    files: tuple[str, ...]  # paths inside the tarball's `package/` folder

    @property
    def folder(self) -> str:
        """Its folder under `web/`: the package's name without the scope's `@` and slash."""
        return self.name.removeprefix("@").replace("/", "-")


PINNED: tuple[Pin, ...] = (
    # Diagrams: the one-file build that sets `globalThis.mermaid` (the .mjs build loads chunks).
    # 11.17.2 is the last before Mermaid 12 bundled elkjs (EPL-2.0) into that file.
    Pin("mermaid", "11.17.2", ("dist/mermaid.min.js",)),
    # Components: React 19 publishes no browser build, 18.3.1 is the last that does (UMD,
    # setting `React` and `ReactDOM`).
    Pin("react", "18.3.1", ("umd/react.production.min.js",)),
    Pin("react-dom", "18.3.1", ("umd/react-dom.production.min.js",)),
    # JSX and TSX compiled in the page (`Babel.transform`).
    Pin("@babel/standalone", "8.0.6", ("babel.min.js",)),
)


class VendorError(Exception):
    """A package that cannot be shipped as fetched: a wrong digest, a file or licence missing."""


# -- update: from the registry --------------------------------------------------------------


def _get(url: str) -> bytes:
    if not url.startswith(REGISTRY + "/"):
        raise VendorError(f"{url} is not on the npm registry")
    request = urllib.request.Request(url, headers={"Accept": "application/json, */*"})
    with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
        body: bytes = response.read()
    return body


def registry_entry(pin: Pin) -> dict[str, Any]:
    """The registry's document for the pinned version (its `dist` and its `license`)."""
    name = urllib.parse.quote(pin.name, safe="@")  # a scoped name keeps its `@`, not its `/`
    entry: dict[str, Any] = json.loads(_get(f"{REGISTRY}/{name}/{pin.version}"))
    if entry.get("version") != pin.version:
        raise VendorError(f"the registry answered {entry.get('version')} for {pin.name}")
    return entry


def verify_integrity(tarball: bytes, integrity: str) -> None:
    """Raises unless `tarball`'s SHA-512 is the registry's SRI value (`sha512-<base64>`)."""
    algorithm, _, expected = integrity.partition("-")
    if algorithm != "sha512":
        raise VendorError(f"the registry gives no SHA-512 integrity ({integrity!r})")
    actual = base64.b64encode(hashlib.sha512(tarball).digest()).decode("ascii")
    if actual != expected:
        raise VendorError(f"the tarball's SHA-512 is {actual}, the registry says {expected}")


def _member(archive: tarfile.TarFile, path: str) -> bytes:
    try:
        member = archive.getmember(f"package/{path}")
    except KeyError:
        raise VendorError(f"the tarball has no {path}") from None
    if not member.isreg():
        raise VendorError(f"{path} in the tarball is not a regular file")
    extracted = archive.extractfile(member)
    assert extracted is not None  # a regular file always has its data
    return extracted.read()


def _licence_path(archive: tarfile.TarFile) -> str:
    found = sorted(
        name.removeprefix("package/")
        for name in archive.getnames()
        if name.count("/") == 1 and LICENCE_NAME.match(name.removeprefix("package/"))
    )
    if not found:
        raise VendorError("the tarball has no licence file at its top")
    return found[0]


def _bundled_elsewhere(data: bytes) -> list[str]:
    return [what for marker, what in BUNDLED_ELSEWHERE.items() if marker in data]


def _read(pin: Pin, tarball: bytes) -> tuple[str, str, dict[str, bytes]]:
    """The package's licence name, its licence file's path and the files to ship, by path."""
    with tarfile.open(fileobj=io.BytesIO(tarball), mode="r:gz") as archive:
        package = json.loads(_member(archive, "package.json"))
        licence = package.get("license")
        if package.get("name") != pin.name or package.get("version") != pin.version:
            raise VendorError(f"the tarball holds {package.get('name')} {package.get('version')}")
        if licence not in ALLOWED_LICENCES:
            raise VendorError(f"{pin.name}'s licence {licence!r} is not one chatdesk may ship")
        licence_source = _licence_path(archive)
        contents = {source: _member(archive, source) for source in (*pin.files, licence_source)}
    bundled = [
        f"{s} holds {what}" for s, data in contents.items() for what in _bundled_elsewhere(data)
    ]
    if bundled:
        raise VendorError(f"{pin.name} {pin.version}: " + "; ".join(bundled))
    return licence, licence_source, contents


def unpack(pin: Pin, tarball: bytes, tarball_url: str, integrity: str) -> list[dict[str, Any]]:
    """The manifest's entries for `pin`, its files written under `WEB`, once its digest holds."""
    verify_integrity(tarball, integrity)
    licence, licence_source, contents = _read(pin, tarball)
    entries = []
    for source, data in contents.items():
        path = f"{pin.folder}/{Path(source).name}"
        target = WEB / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        entries.append(
            {
                "path": path,
                "package": pin.name,
                "version": pin.version,
                "integrity": integrity,
                "tarball": tarball_url,
                "source": f"package/{source}",
                "sha256": hashlib.sha256(data).hexdigest(),
                "size": len(data),
                "license": licence,
                "license_file": f"{pin.folder}/{Path(licence_source).name}",
            }
        )
    return entries


def update() -> None:
    """Fetches every pinned package and writes `WEB` and its manifest afresh."""
    entries: list[dict[str, Any]] = []
    for pin in PINNED:
        dist = registry_entry(pin)["dist"]
        print(f"{pin.name} {pin.version}: {dist['tarball']}")
        entries += unpack(pin, _get(dist["tarball"]), dist["tarball"], dist["integrity"])
    kept = {entry["path"] for entry in entries} | {MANIFEST}
    for stale in sorted(path for path in _present() if path not in kept):
        (WEB / stale).unlink()
        print(f"removed {stale}")
    _remove_empty_folders()
    write_manifest(entries)
    total = sum(entry["size"] for entry in entries)
    print(f"{len(entries)} files, {total:,} bytes in {WEB.relative_to(ROOT)}")


def write_manifest(entries: list[dict[str, Any]]) -> None:
    ordered = sorted(entries, key=lambda entry: entry["path"])
    text = json.dumps({"files": ordered}, indent=2, sort_keys=True, ensure_ascii=True)
    (WEB / MANIFEST).write_text(text + "\n", encoding="utf-8", newline="\n")


def _remove_empty_folders() -> None:
    for folder in sorted(WEB.rglob("*"), key=lambda path: len(path.parts), reverse=True):
        if folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()


# -- check: the committed copies, offline ----------------------------------------------------


def _present() -> set[str]:
    return {path.relative_to(WEB).as_posix() for path in WEB.rglob("*") if path.is_file()}


def read_manifest() -> list[dict[str, Any]]:
    files: list[dict[str, Any]] = json.loads((WEB / MANIFEST).read_text(encoding="utf-8"))["files"]
    return files


def _entry_problems(entry: dict[str, Any], listed: set[str]) -> list[str]:
    path = entry["path"]
    problems = []
    target = WEB / path
    if not target.is_file():
        return [f"{path}: missing"]
    data = target.read_bytes()
    if len(data) != entry["size"]:
        problems.append(f"{path}: {len(data)} bytes, the manifest says {entry['size']}")
    if hashlib.sha256(data).hexdigest() != entry["sha256"]:
        problems.append(f"{path}: its SHA-256 is not the manifest's")
    problems += [f"{path}: holds {bundled}" for bundled in _bundled_elsewhere(data)]
    if entry["license"] not in ALLOWED_LICENCES:
        problems.append(f"{path}: licence {entry['license']!r} is not one chatdesk may ship")
    if entry["license_file"] not in listed:
        problems.append(f"{path}: its licence file {entry['license_file']} is not shipped")
    if not EXACT_VERSION.match(entry["version"]):
        problems.append(f"{path}: version {entry['version']!r} is not an exact version")
    if not str(entry["integrity"]).startswith("sha512-"):
        problems.append(f"{path}: no SHA-512 integrity for its tarball")
    return problems


def _pin_problems(entries: list[dict[str, Any]]) -> list[str]:
    problems = []
    pins = {pin.name: pin for pin in PINNED}
    for entry in entries:
        pin = pins.get(entry["package"])
        if pin is None or pin.version != entry["version"]:
            problems.append(
                f"{entry['path']}: {entry['package']} {entry['version']} is not pinned here"
            )
    sources = {(entry["package"], entry["source"]) for entry in entries}
    for pin in PINNED:
        for path in pin.files:
            if (pin.name, f"package/{path}") not in sources:
                problems.append(f"{pin.name} {pin.version}: {path} is not in the manifest")
    return problems


def check() -> list[str]:
    """What is wrong with the committed files, read against the manifest; empty when nothing."""
    if not (WEB / MANIFEST).is_file():
        return [f"{WEB / MANIFEST} is missing: run `packaging/vendor_js.py update`"]
    entries = read_manifest()
    listed = {entry["path"] for entry in entries}
    problems = [problem for entry in entries for problem in _entry_problems(entry, listed)]
    problems += _pin_problems(entries)
    problems += [
        f"{path}: not in the manifest" for path in sorted(_present() - listed - {MANIFEST})
    ]
    return problems


def main(argv: list[str]) -> int:
    if argv == ["update"]:
        update()
        argv = ["check"]
    if argv == ["check"]:
        problems = check()
        for problem in problems:
            print(problem, file=sys.stderr)
        if not problems:
            print(f"{len(read_manifest())} files match {MANIFEST}")
        return 1 if problems else 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
