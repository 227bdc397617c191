"""Which links may open, and the host the confirmation shows."""

from __future__ import annotations

import pytest

from chatdesk.core.trust.links import LinkTarget, classify_link


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


@pytest.mark.parametrize(
    "field", ["attach", "attachment", "Attach", "ATTACHMENT", "bcc", "x-unknown"]
)
def test_a_mail_link_keeps_only_what_a_mail_is_written_from(field: str) -> None:
    href = f"mailto:me@b.example?subject=Hi%20there&{field}=/home/me/.ssh/id_rsa&body=See%3F"
    target = classify_link(href)
    assert target.kind == "external"
    assert target.url == "mailto:me@b.example?subject=Hi%20there&body=See%3F"
    assert "id_rsa" not in target.url
    assert target.dropped == (field.lower(),)
    assert target.mail == (("to", "me@b.example"), ("subject", "Hi there"), ("body", "See?"))
    shown = target.confirmation()
    assert "Subject: Hi there" in shown
    assert f"Left out of the link: {field.lower()}" in shown
    assert "id_rsa" not in shown


def test_a_plain_mail_link_is_left_as_it_is() -> None:
    target = classify_link("mailto:a@b.example,c@d.example?cc=e@f.example")
    assert target.url == "mailto:a@b.example,c@d.example?cc=e@f.example"
    assert target.dropped == ()
    assert "Left out" not in target.confirmation()
    assert "To: a@b.example,c@d.example\nCc: e@f.example" in target.confirmation()


def test_a_web_link_confirmation_names_the_real_host() -> None:
    shown = classify_link("https://exаmple.com/login").confirmation()
    assert "Host: xn--exmple-4nf.com" in shown
