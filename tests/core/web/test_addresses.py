"""Which addresses the web's requests may reach, and how `[web] allow_private` is read."""

from __future__ import annotations

import ipaddress

import pytest

from chatdesk.core.web.addresses import AllowList, refusal


@pytest.mark.parametrize(
    ("address", "why"),
    [
        ("127.0.0.1", "this computer (a loopback address)"),
        ("127.255.0.9", "this computer (a loopback address)"),
        ("::1", "this computer (a loopback address)"),
        ("0.0.0.0", "an unspecified address"),
        ("::", "an unspecified address"),
        ("10.1.2.3", "a private network address"),
        ("172.16.0.1", "a private network address"),
        ("192.168.1.1", "a private network address"),
        ("fc00::1", "a private network address"),
        ("fd12:3456::1", "a private network address"),
        ("fec0::1", "a private network address"),
        ("169.254.169.254", "a link-local address"),  # the clouds' metadata service
        ("fe80::1", "a link-local address"),
        ("224.0.1.1", "a multicast address"),
        ("ff02::1", "a multicast address"),
        ("100.64.0.1", "a carrier-grade NAT or VPN address"),
        ("100.127.255.254", "a carrier-grade NAT or VPN address"),
        ("240.0.0.1", "a private network address"),
        ("255.255.255.255", "a private network address"),
        ("192.0.2.1", "a private network address"),  # documentation
        ("198.18.0.1", "a private network address"),  # benchmarking
        # IPv6 addresses that carry an IPv4 one are judged by it too
        ("::ffff:127.0.0.1", "this computer (a loopback address)"),
        ("::ffff:10.0.0.1", "a private network address"),
        ("::ffff:169.254.169.254", "a link-local address"),
        ("::127.0.0.1", "this computer (a loopback address)"),  # IPv4-compatible
        ("::8.8.8.8", "a reserved or special-purpose address"),  # long deprecated
        ("64:ff9b::7f00:1", "this computer (a loopback address)"),  # NAT64 of 127.0.0.1
        ("64:ff9b::a9fe:a9fe", "a link-local address"),  # NAT64 of 169.254.169.254
        ("2002:7f00:1::", "this computer (a loopback address)"),  # 6to4 of 127.0.0.1
        ("2002:c0a8:101::1", "a private network address"),  # 6to4 of 192.168.1.1
        ("2001:db8::1", "a private network address"),  # documentation
        ("2001::1", "a private network address"),  # Teredo
    ],
)
def test_addresses_off_the_public_internet_are_refused_with_their_reason(
    address: str, why: str
) -> None:
    assert refusal(ipaddress.ip_address(address)) == why


@pytest.mark.parametrize(
    "address",
    [
        "93.184.216.34",
        "8.8.8.8",
        "1.1.1.1",
        "2606:4700::1111",
        "64:ff9b::808:808",
        "2002:808:808::",
    ],
)
def test_public_addresses_pass(address: str) -> None:
    assert refusal(ipaddress.ip_address(address)) is None


def test_allow_private_lists_exact_servers_by_name_or_address() -> None:
    allowed = AllowList.parse("localhost:8888  192.168.1.5:80 [::1]:8080 Wiki.LAN.:443")
    loopback = ipaddress.ip_address("127.0.0.1")
    assert allowed.allows("localhost", loopback, 8888)
    assert allowed.allows("LOCALHOST", ipaddress.ip_address("::1"), 8888)
    assert not allowed.allows("localhost", loopback, 8889)  # the port is part of it
    assert allowed.allows("wiki.lan", ipaddress.ip_address("10.0.0.7"), 443)
    assert allowed.allows("192.168.1.5", ipaddress.ip_address("192.168.1.5"), 80)
    # an address allows the server at that address, whatever name led to it
    assert allowed.allows("intranet", ipaddress.ip_address("192.168.1.5"), 80)
    assert not allowed.allows("intranet", ipaddress.ip_address("192.168.1.6"), 80)
    assert allowed.allows("::1", ipaddress.ip_address("::1"), 8080)
    assert not allowed.allows("::1", ipaddress.ip_address("::1"), 80)


def test_entries_that_are_not_host_and_port_are_left_out(caplog: pytest.LogCaptureFixture) -> None:
    allowed = AllowList.parse("localhost ::1:80 [::1] host:0 host:99999 [nope]:80 good:1")
    assert allowed == AllowList(frozenset({("good", 1)}))
    assert "'localhost' is not host:port" in caplog.text
    assert "'::1:80' is not host:port" in caplog.text
