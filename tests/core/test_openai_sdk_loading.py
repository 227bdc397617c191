"""The openai SDK is imported on a worker thread (chatdesk/core/providers/sdk.py), never on the
event loop's: its import holds the thread that runs it for ~0.3–1 s, and on the loop's thread the
window would freeze that long (and a second start would wait as long for its acknowledgement).
Each case runs in a fresh interpreter, where nothing has imported the SDK yet; an import hook
notes which thread asks for it. The servers asked are ports nothing listens on."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.ports import free_port

pytestmark = pytest.mark.processes  # its tests start processes (tests/stages.py)

_CASE = """
import asyncio, json, sys, threading

from chatdesk.core.providers.catalogue import LOCAL
from chatdesk.core.providers.discovery import find_local_servers
from chatdesk.core.providers.openai_compat import OpenAICompatibleProvider
from chatdesk.core.providers.profiles import ProviderProfile

case, port = sys.argv[1], int(sys.argv[2])
loaded_before = "openai" in sys.modules
on_the_loop = []


class Watch:
    def find_spec(self, name, path=None, target=None):
        if name == "openai":
            on_the_loop.append(threading.current_thread() is threading.main_thread())


sys.meta_path.insert(0, Watch())


async def main():
    if case == "discovery":
        return len(await find_local_servers({entry.id: port for entry in LOCAL}))
    url = f"http://127.0.0.1:{port}/v1"
    provider = OpenAICompatibleProvider(ProviderProfile("openai", url, api_key="k"))
    try:
        await provider.list_models()
    except Exception as error:
        return type(error).__name__
    finally:
        await provider.aclose()


outcome = asyncio.run(main())
print(json.dumps({"before": loaded_before, "on_the_loop": on_the_loop, "outcome": outcome}))
"""


@pytest.mark.parametrize(("case", "outcome"), [("discovery", 0), ("provider", "ProviderError")])
def test_the_sdk_is_imported_off_the_loops_thread(case: str, outcome: object) -> None:
    done = subprocess.run(
        [sys.executable, "-c", _CASE, case, str(free_port())],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    seen = json.loads(done.stdout.splitlines()[-1])
    assert seen["before"] is False  # nothing imported it before it was needed
    assert seen["outcome"] == outcome  # nothing there: none found, or a refused connection
    assert seen["on_the_loop"] == [False]  # imported once, on a worker thread
