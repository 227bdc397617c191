"""The JavaScript artifacts run ships as pinned npm files with their licences (decision 0101):
the committed copies match `MANIFEST.json`, and `packaging/vendor_js.py` refuses a tarball whose
digest, licence or contents are not what chatdesk may ship. Nothing here uses the network."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import shutil
import tarfile
from pathlib import Path
from types import ModuleType

import pytest

from tests.packaging_scripts import packaging_script

ROOT = Path(__file__).resolve().parents[2]
WEB = ROOT / "chatdesk" / "core" / "artifacts" / "web"


def tool() -> ModuleType:
    """`packaging/vendor_js.py`."""
    return packaging_script("vendor_js")


@pytest.fixture
def web_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The committed folder copied, and the tool pointed at the copy."""
    copy = tmp_path / "web"
    shutil.copytree(WEB, copy)
    monkeypatch.setattr(tool(), "WEB", copy)
    return copy


def sri(data: bytes) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode("ascii")


def tarball(files: dict[str, bytes]) -> bytes:
    """An npm tarball: gzip'd tar with everything under `package/`."""
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w:gz") as archive:
        for name, data in files.items():
            info = tarfile.TarInfo(f"package/{name}")
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return out.getvalue()


def package_json(name: str, version: str, licence: str) -> bytes:
    return json.dumps({"name": name, "version": version, "license": licence}).encode()


def test_the_committed_files_match_their_manifest() -> None:
    assert tool().check() == []


def test_every_pinned_file_ships_at_its_version_with_its_licence() -> None:
    entries = tool().read_manifest()
    by_path = {entry["path"]: entry for entry in entries}
    for pin in tool().PINNED:
        shipped = [entry for entry in entries if entry["package"] == pin.name]
        assert {entry["version"] for entry in shipped} == {pin.version}
        assert {entry["source"] for entry in shipped} >= {f"package/{p}" for p in pin.files}
        [licence_file] = {entry["license_file"] for entry in shipped}
        assert licence_file in by_path
        assert (WEB / licence_file).read_text(encoding="utf-8").strip()
        assert {entry["license"] for entry in shipped} <= {"MIT", "Apache-2.0", "BSD-3-Clause"}
        assert tool().EXACT_VERSION.match(pin.version), pin


def test_the_files_are_small_enough_to_ship_in_the_wheel() -> None:
    total = sum(entry["size"] for entry in tool().read_manifest())
    assert total < 8_000_000  # decision 0101: about 6 MB, 1.6 MB in the wheel


def test_a_changed_missing_or_unlisted_file_is_reported(web_copy: Path) -> None:
    mermaid = web_copy / "mermaid" / "mermaid.min.js"
    mermaid.write_bytes(mermaid.read_bytes().replace(b"mermaid", b"merman", 1))
    (web_copy / "react" / "LICENSE").unlink()
    (web_copy / "react" / "react.development.js").write_text("", encoding="utf-8")
    problems = tool().check()
    assert "mermaid/mermaid.min.js: its SHA-256 is not the manifest's" in problems
    assert "react/LICENSE: missing" in problems
    assert "react/react.development.js: not in the manifest" in problems


def test_a_version_other_than_the_pinned_one_is_reported(web_copy: Path) -> None:
    entries = tool().read_manifest()
    for entry in entries:
        if entry["package"] == "react-dom":
            entry["version"] = "^18.3.1"
    tool().write_manifest(entries)
    problems = tool().check()
    assert any("'^18.3.1' is not an exact version" in problem for problem in problems)
    assert any("react-dom ^18.3.1 is not pinned here" in problem for problem in problems)


def test_a_tarball_is_unpacked_only_when_its_digest_is_the_registrys(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tool(), "WEB", tmp_path)
    pin = tool().Pin("@scope/lib", "1.2.3", ("dist/lib.min.js",))
    data = tarball(
        {
            "package.json": package_json("@scope/lib", "1.2.3", "MIT"),
            "dist/lib.min.js": b"globalThis.lib = 1;",
            "dist/other.js": b"not shipped",
            "LICENSE.md": b"MIT License",
        }
    )
    with pytest.raises(tool().VendorError, match="SHA-512"):
        tool().unpack(pin, data + b"\0", "https://registry.npmjs.org/x.tgz", sri(data))
    assert list(tmp_path.iterdir()) == []

    entries = tool().unpack(pin, data, "https://registry.npmjs.org/x.tgz", sri(data))
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*.*")) == [
        "scope-lib/LICENSE.md",
        "scope-lib/lib.min.js",
    ]
    [script] = [entry for entry in entries if entry["path"] == "scope-lib/lib.min.js"]
    assert script["source"] == "package/dist/lib.min.js"
    assert script["sha256"] == hashlib.sha256(b"globalThis.lib = 1;").hexdigest()
    assert script["license_file"] == "scope-lib/LICENSE.md"
    assert script["integrity"] == sri(data)


@pytest.mark.parametrize(
    ("files", "refusal"),
    [
        ({"package.json": package_json("lib", "1.0.0", "GPL-3.0")}, "licence 'GPL-3.0'"),
        ({"package.json": package_json("lib", "1.0.1", "MIT")}, "holds lib 1.0.1"),
        ({"package.json": package_json("lib", "1.0.0", "MIT")}, "no licence file"),
        (
            {
                "package.json": package_json("lib", "1.0.0", "MIT"),
                "LICENSE": b"MIT",
                "lib.js": b"var org = 'org.eclipse.elk.alg';",
            },
            "elkjs",
        ),
    ],
)
def test_a_package_chatdesk_may_not_ship_is_refused(
    files: dict[str, bytes], refusal: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tool(), "WEB", tmp_path)
    pin = tool().Pin("lib", "1.0.0", ("lib.js",) if "lib.js" in files else ())
    data = tarball(files)
    with pytest.raises(tool().VendorError, match=refusal):
        tool().unpack(pin, data, "https://registry.npmjs.org/lib.tgz", sri(data))
    assert list(tmp_path.iterdir()) == []
