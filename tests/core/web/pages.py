"""Web pages for the page-text tests, written here as the sites that serve them would."""

from __future__ import annotations

ARTICLE_SENTENCE = "The council voted on Tuesday to build a footbridge over the Lenne by 2027."


def article(*, paragraphs: int = 8, extra: str = "") -> str:
    """A news article in a page's usual dress: a menu, an advert, a cookie banner, a sidebar of
    links, a footer, scripts and styles."""
    menu = "".join(f"<li><a href='/section/{n}'>Menu section {n}</a></li>" for n in range(25))
    body = "".join(
        f"<p>{ARTICLE_SENTENCE} Paragraph {n} goes on about the costs, the timetable and "
        "what the neighbours said at the meeting in the town hall.</p>"
        for n in range(paragraphs)
    )
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>Footbridge approved | Lenne Courier</title>
<meta property="og:site_name" content="Lenne Courier">
<meta property="article:published_time" content="2024-03-05T09:30:00Z">
<meta name="author" content="Ada Weber">
<script>window.tracking = "SCRIPT-SECRET"; document.write("SCRIPT-WRITTEN");</script>
<style>body {{ font-family: serif }} .banner::after {{ content: "STYLE-TEXT" }}</style>
</head><body>
<div class="cookie-banner">We use cookies. Accept all cookies?</div>
<header><nav><ul>{menu}</ul></nav></header>
<div class="advert">Buy cheap watches today, limited offer!</div>
<main><article><h1>Footbridge approved</h1>{body}{extra}</article></main>
<aside><h2>Most read</h2><ul><li><a href="/a">Other story one</a></li>
<li><a href="/b">Other story two</a></li></ul></aside>
<footer><p>Copyright Lenne Courier, all rights reserved.</p><a href="/privacy">Privacy</a></footer>
</body></html>"""


def links(count: int) -> str:
    """A page that is nothing but links (an index, a link farm)."""
    items = "".join(
        f"<a href='https://far.example/{n}'>Link number {n}</a><br>" for n in range(count)
    )
    return f"<!doctype html><html><head><title>Index</title></head><body>{items}</body></html>"
