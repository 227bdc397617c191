"""A team's address typed as one line is read into the team server's fields."""

from __future__ import annotations

import pytest

from chatdesk.core.errors import InvalidRequest
from chatdesk.core.sync.address import TeamAddress, address_of, parse_address


def test_a_url_gives_every_field_it_names() -> None:
    line = (
        "postgresql://alice%40lab@team.example.org:6432/chats?sslmode=verify-ca&sslrootcert=/ca.crt"
    )
    assert parse_address(line) == TeamAddress(
        host="team.example.org",
        port=6432,
        database="chats",
        user="alice@lab",
        sslmode="verify-ca",
        sslrootcert="/ca.crt",
    )


def test_a_bare_host_gives_the_host_only() -> None:
    assert parse_address("  team.example.org ") == TeamAddress(host="team.example.org")
    assert parse_address("db.lan:5433") == TeamAddress(host="db.lan", port=5433)
    assert parse_address("postgres://[::1]/x").host == "::1"


@pytest.mark.parametrize(
    ("line", "said"),
    [
        ("", "Enter the team's address."),
        ("https://team.example.org", "starts with postgresql://"),
        ("team.example.org:99999", "not a number from 1 to 65535"),
        ("team.example.org:port", "not a number from 1 to 65535"),
        ("postgresql:///chatdesk", "names no server"),
        ("h?sslmode=maybe", "unknown TLS mode: maybe"),
    ],
)
def test_an_address_that_cannot_be_read_says_why(line: str, said: str) -> None:
    with pytest.raises(InvalidRequest, match=said.replace("?", r"\?")):
        parse_address(line)


def test_the_fields_are_written_back_as_an_address_that_reads_the_same() -> None:
    line = address_of("team.example.org", 6432, "chats", "alice@lab")
    assert line == "postgresql://alice%40lab@team.example.org:6432/chats"
    back = parse_address(line)
    assert (back.host, back.port, back.database, back.user) == (
        "team.example.org",
        6432,
        "chats",
        "alice@lab",
    )
    assert parse_address(address_of("::1", 5432, "chatdesk", "")).host == "::1"
    assert address_of("", 5432, "chatdesk", "bob") == ""
