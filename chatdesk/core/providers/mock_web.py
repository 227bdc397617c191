"""The offline mock's use of the web, deterministic, so the offline app and the tests show the
whole flow with any engine: while the web's tools are offered (Web is on for the chat), the
mock searches for the user's message, reads the first two results, and answers quoting the
pages it read, each cited by the number chatdesk gave it ([1], [2]). A search or a read that
failed is said in the answer, as a model would. In a research run it plans three searches,
asks for one more, and writes a report quoting the pages read (`research_answer`)."""

from __future__ import annotations

import json
import re

from chatdesk.core.prompts import RESEARCH_MARKERS
from chatdesk.core.providers.base import ChatMessage, ChatRequest, ToolCall

SEARCH, READ = "web_search", "read_page"
READ_FIRST = 2  # results read
QUERY_CHARS = 200
QUOTED = 240  # characters of each page quoted
_NUMBERED = re.compile(r"^\[(\d+)\] (.*)$")
_PAGE = re.compile(r"^\[(\d+)\] (.*?) — \S+\n(.*?)(?=\n\n\[\d+\] |\Z)", re.S | re.M)


def web_calls(request: ChatRequest, number: int) -> tuple[ToolCall, ...]:
    """The calls the mock makes next: a search for a new question, the reads of a search's
    first results; none when the web's tools are not offered or it is time to answer."""
    offered = {tool.name for tool in request.tools}
    if not {SEARCH, READ} <= offered or not request.messages:
        return ()
    last = request.messages[-1]
    if last.role == "user":
        query = " ".join(last.content.split())[:QUERY_CHARS]
        if not query or re.search(r"\buse the \S+ tool\b", query, re.IGNORECASE):
            return ()  # mock_tools.py makes the call asked for
        return (ToolCall(f"call_mock_{number}_1", SEARCH, json.dumps({"query": query})),)
    asked, results = _last_round(request.messages)
    if [call.name for call in asked] != [SEARCH] or not results:
        return ()
    urls = _result_urls(results[0].content)[:READ_FIRST]
    return tuple(
        ToolCall(f"call_mock_{number}_{i}", READ, json.dumps({"url": url}))
        for i, url in enumerate(urls, start=1)
    )


def answer_from_web(request: ChatRequest) -> str | None:
    """The answer after the web's calls: the pages read, quoted and cited; what failed, said.
    None when the last round was not the web's."""
    asked, results = _last_round(request.messages)
    names = {call.name for call in asked}
    if not results or not names <= {SEARCH, READ}:
        return None
    if names == {SEARCH}:
        found = results[0].content
        if found.lstrip().startswith("{"):
            return "The web search found nothing I could read for that."
        return f"I could not search the web: {found}"
    quoted, failed = [], []
    for result in results:
        first, _, rest = result.content.partition("\n")
        numbered = _NUMBERED.match(first)
        if numbered is None:
            failed.append(f"- I could not read a page: {result.content.strip()}")
            continue
        text = rest.split("\n\n", 1)[-1].strip()
        words = " ".join(text.split())
        quote = words[:QUOTED] + ("…" if len(words) > QUOTED else "")
        quoted.append(f"- **{numbered[2]}**: “{quote}” [{numbered[1]}]")
    head = "From the pages I read:" if quoted else "I could not read any of the pages found."
    return "\n\n".join(p for p in (head, "\n".join(quoted + failed)) if p)


def _last_round(
    messages: tuple[ChatMessage, ...],
) -> tuple[tuple[ToolCall, ...], list[ChatMessage]]:
    """The calls of the newest round and their results (none when the newest message is not a
    tool's result)."""
    start = len(messages)
    while start > 0 and messages[start - 1].role == "tool":
        start -= 1
    if start == len(messages) or start == 0:
        return (), []
    return messages[start - 1].tool_calls, list(messages[start:])


def _result_urls(text: str) -> list[str]:
    try:
        found = json.loads(text)
        return [str(r["url"]) for r in found["results"] if isinstance(r, dict) and "url" in r]
    except (ValueError, KeyError, TypeError):
        return []


def research_answer(request: ChatRequest) -> str | None:
    """The mock's part in a research run (research_run.py), recognised by chatdesk's words
    (prompts.py): a plan of three searches, one search for what is left open, and a report
    quoting each page read under its number. None for any other request."""
    said = {
        m.content.split("\n", 1)[0][:80]: m.content for m in request.messages if m.role == "system"
    }
    asked = next((m.content for m in reversed(request.messages) if m.role == "user"), "")
    question = " ".join(asked.split("\n\n", 1)[0].split())[:QUERY_CHARS]
    plan, gaps, report = RESEARCH_MARKERS
    for head, text in said.items():
        if head.startswith(plan):
            return "\n".join([question, f"{question} latest news", f"{question} explained"])
        if head.startswith(gaps):
            return f"{question} open questions"
        if head.startswith(report):
            return _report(question, text)
    return None


def _report(question: str, pages: str) -> str:
    found = _PAGE.findall(pages)
    if not found:
        failed = pages.partition("What failed:\n")[2].strip()
        why = f"\n\nWhat failed:\n{failed}" if failed else ""
        return f"## Summary\n\nNo page could be read about “{question}”.{why}"
    lines = []
    for number, title, text in found:
        words = " ".join(text.split())
        lines.append(f"- **{title}**: “{words[:QUOTED]}{'…' * (len(words) > QUOTED)}” [{number}]")
    cited = "".join(f"[{number}]" for number, _, _ in found)
    return (
        f"## Summary\n\nI read {len(found)} pages about “{question}” {cited}.\n\n"
        "## What the pages say\n\n" + "\n".join(lines) + "\n\n"
        "## What stays open\n\nThe pages do not settle everything; read them to judge."
    )
