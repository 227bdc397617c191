"""chatdesk's extras (decisions 0074, 0075) without installing anything: the formulas extra as
pyproject.toml declares it against the table of sizes, where an extra is looked for, and whose
metadata names an extra's requirements."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from chatdesk.core.extras import EXTRAS, FORMULAS, PACKAGES, Extras, packages_of, requirements_of

ROOT = Path(__file__).resolve().parents[2]


def _project() -> Any:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def test_matplotlib_is_the_formulas_extra_and_not_in_the_base_install() -> None:
    project = _project()
    extras = project["optional-dependencies"]
    assert packages_of(extras[FORMULAS]) == EXTRAS[FORMULAS].packages == ("matplotlib",)
    assert "matplotlib" not in packages_of(project["dependencies"])
    assert any("formulas" in line for line in extras["dev"] if line.startswith("chatdesk["))
    assert set(EXTRAS[FORMULAS].packages) <= set(PACKAGES)


def test_formulas_are_missing_where_matplotlib_is_not_and_cost_what_the_table_says(
    tmp_path: Path,
) -> None:
    state = Extras(paths=[str(tmp_path)]).state(FORMULAS)
    assert not state.present
    assert state.missing == ("matplotlib",)
    assert state.offer() == (
        f"Drawing TeX formulas needs a download of about {PACKAGES['matplotlib'].download_mb} "
        f"MB ({PACKAGES['matplotlib'].disk_mb} MB on disk), once."
    )
    (tmp_path / "matplotlib").mkdir()
    (tmp_path / "matplotlib" / "__init__.py").write_text("", encoding="utf-8")
    assert Extras(paths=[str(tmp_path)]).state(FORMULAS).present


def test_an_extras_requirements_come_from_the_metadata_where_it_is_installed(
    tmp_path: Path,
) -> None:
    info = tmp_path / "chatdesk-9.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: chatdesk\nVersion: 9.0\nProvides-Extra: formulas\n"
        "Requires-Dist: matplotlib<9,>=8; extra == 'formulas'\n",
        encoding="utf-8",
    )
    assert requirements_of(FORMULAS, paths=[str(tmp_path)]) == ("matplotlib<9,>=8",)
    assert Extras(paths=[str(tmp_path)]).state(FORMULAS).requirements == ("matplotlib<9,>=8",)
