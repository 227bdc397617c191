"""Which links may open, and the host the confirmation shows."""

from __future__ import annotations

import pytest

from chatdesk.core.render import LinkTarget, classify_link


def test_idn_homograph_shows_its_punycode_host() -> None:
    target = classify_link("https://exаmple.com/login")  # Cyrillic "а"
    assert target.kind == "external"
    assert target.host == "xn--exmple-4nf.com"


def test_plain_web_link_shows_its_host() -> None:
    target = classify_link("HTTPS://Docs.Example.com:8443/a?b#c")
    assert target == LinkTarget(
        "external", "HTTPS://Docs.Example.com:8443/a?b#c", "docs.example.com"
    )


def test_user_info_does_not_hide_the_real_host() -> None:
    assert classify_link("https://google.com@evil.example/x").host == "evil.example"


def test_mailto_is_external_with_the_mail_domain() -> None:
    target = classify_link("mailto:someone@exаmple.org?subject=hi")
    assert target.kind == "external"
    assert target.host == "xn--exmple-4nf.org"


@pytest.mark.parametrize(
    "href",
    [
        "file:///etc/passwd",
        "FILE:///etc/passwd",
        "javascript:alert(1)",
        " JavaScript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox",
        "cherrystudio://mcp/install?servers=x",
        "ms-settings:privacy",
        "smb://server/share",
        "ftp://files.example.com/a",
        "chatdesk:open-settings",
        "notes.md",
        "/etc/passwd",
        "//evil.example/path",
        "#section",
        "",
        "https://evil.example\\@good.example/",
        "https://evil .example/",
        "https://%65vil.example/",
        "http://[::1",
        "https:///no-host",
        "mailto:",
    ],
)
def test_other_links_are_refused_with_a_reason(href: str) -> None:
    target = classify_link(href)
    assert target.kind == "refused"
    assert target.reason
    assert target.host is None


@pytest.mark.parametrize(
    "href", ["chatdesk:copy-code/0", "chatdesk:copy-code/12", "chatdesk:load-images"]
)
def test_our_action_anchors_are_actions(href: str) -> None:
    assert classify_link(href) == LinkTarget("action", href)
