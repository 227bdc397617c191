"""With the defaults, the user's own programs are never throttled: a scripted client on this
computer (an agent framework, an editor's completion, a test suite) makes hundreds of requests
and socket messages a minute. A key used from another computer still has a limit, and pings
and typing never count. The real `openai` SDK and a real `websockets` client over real sockets;
the limit's clock stands still, so nothing is refilled while a test runs."""

from __future__ import annotations

import socket
import uuid
from collections.abc import AsyncIterator

import httpx2 as httpx
import openai
import pytest
import pytest_asyncio

from chatdesk.core.config import ApiSettings
from chatdesk.core.settings_outside import NETWORK_RATE_LIMIT
from tests.api.conftest import Served, serving
from tests.api.sockets import joined, receive, send

pytestmark = pytest.mark.asyncio

BURST = 150  # requests and frames in one minute, more than the old default's 60


def _still(served: Served) -> Served:
    served.server.app.state.gate.limit.clock = lambda: 0.0
    return served


@pytest_asyncio.fixture
async def defaults() -> AsyncIterator[Served]:
    async with serving() as served:
        yield _still(served)


async def test_an_sdk_on_this_computer_is_never_throttled(defaults: Served) -> None:
    client = openai.AsyncOpenAI(base_url=defaults.url + "/v1", api_key=defaults.key, max_retries=0)
    try:
        listed = [await client.models.list() for _ in range(BURST)]
        thread = await defaults.core.service.create_thread()
        async with joined(defaults, thread.id) as socket:
            replies = []
            for number in range(BURST):
                await send(socket, "DELETE_MESSAGE", message_id=str(uuid.uuid4()))
                await send(socket, "PING", request_id=str(number))
                replies += [await receive(socket), await receive(socket)]
        after = await client.models.list()
    finally:
        await client.close()
    assert all(page.data for page in listed)
    assert {r["code"] for r in replies if r["type"] == "ERROR"} == {"NotFound"}
    assert sum(r["type"] == "PONG" for r in replies) == BURST
    assert after.data


async def test_pings_and_typing_never_count_against_a_limit_the_user_set() -> None:
    async with serving(ApiSettings(rate_limit=3)) as limited:
        served = _still(limited)
        thread = await served.core.service.create_thread()
        async with joined(served, thread.id) as socket:  # the upgrade takes one of the three
            pongs = []
            for number in range(BURST):
                await send(socket, "TYPING_INDICATOR", typing=number % 2 == 0)
                await send(socket, "PING", request_id=str(number))
                pongs.append(await receive(socket))
            await send(socket, "DELETE_MESSAGE", message_id=str(uuid.uuid4()))
            counted = await receive(socket)
        async with httpx.AsyncClient(base_url=served.url, headers=served.headers) as client:
            statuses = [(await client.get("/v1/models")).status_code for _ in range(2)]
    assert [p["type"] for p in pongs] == ["PONG"] * BURST
    assert counted["code"] == "NotFound"  # the second of the three
    assert statuses == [200, 429]  # the third, then over: a number the user set holds here too


def _network_address() -> str | None:
    """This computer's address on its network (no packet is sent), None when it has none."""
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        probe.connect(("192.0.2.1", 9))
        address: str = probe.getsockname()[0]
    except OSError:
        return None
    finally:
        probe.close()
    return None if address.startswith("127.") else address


async def test_a_key_used_from_another_computer_has_a_limit_by_default() -> None:
    address = _network_address()
    if address is None:
        pytest.skip("this computer has no network address to call the API from")
    async with serving(ApiSettings(lan=True)) as lan:
        served = _still(lan)
        remote, loopback = (f"http://{host}:{served.port}" for host in (address, "127.0.0.1"))
        async with (
            httpx.AsyncClient(base_url=remote, headers=served.headers) as other,
            httpx.AsyncClient(base_url=loopback, headers=served.headers) as this,
        ):
            allowed = range(NETWORK_RATE_LIMIT)
            statuses = [(await other.get("/v1/models")).status_code for _ in allowed]
            over = await other.get("/v1/models")
            local = await this.get("/v1/models")
    assert set(statuses) == {200}
    assert over.status_code == 429
    assert int(over.headers["Retry-After"]) > 0
    assert local.status_code == 200  # this computer's programs are not held by it
