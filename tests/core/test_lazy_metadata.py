"""`importlib.metadata` deferred (chatdesk/core/lazy_metadata.py): SQLAlchemy loads and opens a
database without running it, and its first use anywhere gets the whole module, once. Each case
runs in an interpreter of its own: this one (pytest) has the real module loaded already."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

pytestmark = pytest.mark.processes

RUN_BY = ("email", "csv", "importlib.metadata._adapters", "importlib.abc")


def _python(code: str) -> list[str]:
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()


def test_sqlalchemy_opens_a_database_without_it_and_its_first_use_gets_all_of_it() -> None:
    plain = _python(
        """
        import importlib.metadata as metadata
        print(metadata.version("sqlalchemy"))
        print([e.name for e in metadata.entry_points(group="console_scripts", name="chatdesk")])
        """
    )
    deferred = _python(
        f"""
        import sys
        from chatdesk.core import lazy_metadata
        lazy_metadata.defer()
        import sqlalchemy.orm
        from sqlalchemy import create_engine, text
        with create_engine("sqlite://").connect() as connection:
            connection.execute(text("select 1"))
        print(sorted(m for m in {RUN_BY!r} if m in sys.modules), lazy_metadata.deferred())
        from importlib.metadata import PackageNotFoundError, entry_points, version
        print(version("sqlalchemy"))
        print([e.name for e in entry_points(group="console_scripts", name="chatdesk")])
        import importlib.metadata
        try:
            importlib.metadata.version("no-such-distribution-here")
        except PackageNotFoundError as error:  # the class the module raises, as imported
            print("not found:", error)
        print(type(sys.modules["importlib.metadata"]) is type(sys), lazy_metadata.deferred())
        """
    )
    assert deferred == [
        "[] True",
        *plain,
        "not found: No package metadata was found for no-such-distribution-here",
        "True False",
    ]


def test_two_threads_using_it_first_at_once_both_get_the_module_run_once() -> None:
    lines = _python(
        """
        import threading
        from chatdesk.core import lazy_metadata
        lazy_metadata.defer()
        import importlib.metadata as metadata
        start = threading.Barrier(2)
        seen = []

        def use():
            start.wait()
            seen.append((metadata.version("sqlalchemy"), metadata.PackageNotFoundError))

        threads = [threading.Thread(target=use) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        print(len(seen), len(set(seen)), seen[0][1] is metadata.PackageNotFoundError)
        """
    )
    assert lines == ["2 1 True"]


def test_deferring_what_is_loaded_already_changes_nothing() -> None:
    lines = _python(
        """
        import sys
        import importlib.metadata as before
        from chatdesk.core import lazy_metadata
        lazy_metadata.defer()
        print(sys.modules["importlib.metadata"] is before, lazy_metadata.deferred())
        """
    )
    assert lines == ["True False"]
