"""The scripts of `packaging/`, loaded as modules for the tests that drive them (they are
scripts, not modules of chatdesk)."""

from __future__ import annotations

import importlib.util
import sys
from functools import cache
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent


@cache
def packaging_script(name: str) -> ModuleType:
    """`packaging/{name}.py`, imported once."""
    spec = importlib.util.spec_from_file_location(
        f"chatdesk_{name}", ROOT / "packaging" / f"{name}.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module
