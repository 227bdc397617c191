"""The API does what its description (`/openapi.json`) says, as Schemathesis finds it: every
check of Schemathesis, on cases it makes from the description, each route on its own and
routes in sequences (a thread made, then read, changed, deleted), against a real `chatdesk
serve` on 127.0.0.1. A served process rather than the ASGI app: a client generated from the
description talks to uvicorn over a socket, streams included, and Schemathesis' calls
(`requests`) are synchronous, which a process of its own suits (decision 0085)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig

KEY = "cdk-described-0123456789"
EXAMPLES = 12  # cases per route and phase: ~1,000 requests in all, ~1 min on two cores
# What JSON Schema cannot say, and the API answers with a 400 that says it: an opaque cursor
# that is not one, FTS5 syntax that does not parse, `before` with `after`, a chat kept
# without a user message. The WebSocket's success is an upgrade, which a plain request never
# gets: its 426 says how to ask. Nothing else is allowed beside Schemathesis' own defaults.
CONFIG = f"""
headers = {{ Authorization = "Bearer {KEY}" }}

[[operations]]
include-name = [
    "GET /api/v1/search",
    "GET /api/v1/threads",
    "GET /api/v1/threads/{{thread_id}}/messages",
    "POST /v1/chat/completions",
]
checks.positive_data_acceptance.expected-statuses = [
    "2xx", "400", "401", "403", "404", "409", "429", "5xx"
]

[[operations]]
include-name = "GET /api/v1/threads/{{thread_id}}/ws"
checks.positive_data_acceptance.expected-statuses = ["426"]
"""
_ADDRESS = re.compile(r"(http://127\.0\.0\.1:\d+)")


@pytest.fixture(scope="module")
def described(tmp_path_factory: pytest.TempPathFactory) -> Iterator[schemathesis.BaseSchema]:
    home = tmp_path_factory.mktemp("described")
    env = os.environ | {
        "CHATDESK_HOME": str(home),
        "CHATDESK_API_KEY": KEY,
        "CHATDESK_MOCK_TOKENS_PER_SECOND": "0",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "chatdesk", "serve", "--port", "0"],
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        env=env,
        text=True,
    )
    assert process.stderr is not None
    first = process.stderr.readline()  # the address, once it listens
    try:
        found = _ADDRESS.search(first)
        assert found, first
        config = SchemathesisConfig.from_str(CONFIG)
        yield schemathesis.openapi.from_url(
            f"{found[1]}/openapi.json", config=config, headers={"Authorization": f"Bearer {KEY}"}
        )
    finally:
        process.terminate()
        process.wait(timeout=60)
        process.stderr.close()


schema = schemathesis.pytest.from_fixture("described")
# The same cases every run (a seed of the description's own), so a run fails on the code, never
# on the draw; a change to the description draws others.
_QUIET = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    database=None,
    derandomize=True,
)


@pytest.mark.slow("Schemathesis' cases for every route of the API, against a served process")
@schema.parametrize()
@_QUIET
def test_each_route_answers_as_described(case: schemathesis.Case) -> None:
    case.call_and_validate()


@pytest.mark.slow("sequences of calls that follow the description's links, a few hundred")
def test_routes_in_sequence_answer_as_described(described: schemathesis.BaseSchema) -> None:
    workflow = described.as_state_machine()
    workflow.run(settings=settings(_QUIET, max_examples=EXAMPLES, stateful_step_count=6))
