"""The offline mock provider's answers: deterministic, and honest about what they are.

Every answer opens with one line saying it comes from chatdesk's built-in offline demo. A
suggestion a new chat offers gets its sample answer (mock_samples.py), a greeting a greeting
and the way to connect a model; a request for a demo (code, a table, formatting, an example)
gets the Markdown showcase; any other question a short answer saying the demo cannot answer
it. The same prompt (and model) always gives the same answer, so a demo is repeatable and
a test can check that a saved partial answer is an exact prefix of what the mock would have said.
"""

from __future__ import annotations

import hashlib
import random
import re
from dataclasses import dataclass

from chatdesk.core.i18n import mark, tr
from chatdesk.core.prompts import MESSAGES_HEADING
from chatdesk.core.providers.mock_samples import sample_answer
from chatdesk.core.words import own_words

_TOKEN = re.compile(r"\s*\S{1,4}|\s+")

_OPENINGS = (
    "Here is a worked answer to “{topic}”.",
    "Good question. Let me walk through “{topic}” step by step.",
    "Short version first, then the details on “{topic}”.",
)

_PARAGRAPHS = (
    "The key idea is to separate **what** you want from **how** it is stored. Once the data "
    "model is clear, the rest of the code tends to become *obvious* and easy to test.",
    "In practice the simplest approach that handles the edge cases wins. Measure first, then "
    "optimise the part that the numbers point at, not the part that looks slow.",
    "A useful rule of thumb: keep the hot path free of I/O, and make every slow step report its "
    "progress so the user is never left guessing.",
    "Nothing here needs a network connection. Everything runs locally, and the results are "
    "the same every time you ask the same question.",
)

_LISTS = (
    "Things to check:\n\n1. Inputs are validated early\n    - empty values\n    - values that "
    "are far too large\n2. Errors say what to do next\n3. Nothing the user typed is ever lost",
    "A plan:\n\n- Sketch the data model\n    - entities and their ids\n    - what must be "
    "unique\n- Write the smallest end-to-end slice\n- Add tests for the failure cases",
    "Checklist:\n\n- [x] reproduce the problem\n- [x] write a failing test\n- [ ] fix it\n"
    "- [ ] ~~blame the compiler~~ read the error message again",
)

_TABLES = (
    "| Option | Speed | Memory |\n|---|---:|---:|\n| list scan | slow | low |\n"
    "| index | fast | medium |\n| cache | fastest | high |",
    "| Step | Owner | Status |\n|---|---|---|\n| design | you | done |\n"
    "| build | you | in progress |\n| review | team | waiting |",
)

_CODE = (
    '```python\ndef fibonacci(n: int) -> list[int]:\n    """First n Fibonacci numbers."""\n'
    "    numbers = [0, 1]\n    while len(numbers) < n:\n        numbers.append(numbers[-1] + "
    "numbers[-2])\n    return numbers[:n]\n\nprint(fibonacci(10))\n```",
    "```rust\nfn mean(values: &[f64]) -> Option<f64> {\n    if values.is_empty() {\n"
    "        return None;\n    }\n    Some(values.iter().sum::<f64>() / values.len() as f64)\n}"
    "\n```",
    "```javascript\nconst debounce = (fn, ms) => {\n  let timer;\n  return (...args) => {\n"
    "    clearTimeout(timer);\n    timer = setTimeout(() => fn(...args), ms);\n  };\n};\n```",
    "```sql\nSELECT thread_id, count(*) AS messages\nFROM messages\nWHERE created_at > "
    "date('now', '-7 days')\nGROUP BY thread_id\nORDER BY messages DESC\nLIMIT 10;\n```",
    '```bash\nfor f in *.log; do\n  gzip -9 "$f" && echo "packed $f"\ndone\n```',
)

_MATH = (
    "The total cost is $C = n \\cdot p$, so ten items at $4 each cost $40 in all.",
    "Energy and mass are related by $E = mc^2$; a coffee still costs about $3.50.",
    "For a circle the area is $A = \\pi r^2$, which is why a pizza twice as wide feeds four.",
)

_DISPLAY_MATH = (
    "$$\n\\sum_{k=1}^{n} k = \\frac{n(n+1)}{2}\n$$",
    "$$\n\\int_0^1 x^2 \\, dx = \\frac{1}{3}\n$$",
    "\\[\n\\sigma = \\sqrt{\\frac{1}{N} \\sum_{i=1}^{N} (x_i - \\mu)^2}\n\\]",
)

_QUOTES = (
    "> Make it work, make it right, make it fast — in that order.",
    "> Premature optimisation is the root of all evil.",
)

_REASONING = (
    "The user wants a clear explanation. I should start with a short summary, then give an "
    "example with code, and finish with a checklist they can follow. Keep it concise.",
    "Let me think about which parts matter most here: correctness first, then clarity. A small "
    "table will make the trade-offs easy to compare.",
)


@dataclass(frozen=True)
class MockAnswer:
    text: str
    reasoning: str


def topic_of(prompt: str) -> str:
    """What the prompt asks, in its own words (a passage it quotes left out), shortened."""
    words = " ".join(own_words(prompt).split())
    return words if len(words) <= 60 else words[:57].rstrip() + "…"


_GREETING = re.compile(
    r"^\W*(?:hi|hello|hey|hiya|howdy|yo|greetings|good (?:morning|afternoon|evening)|"
    r"hallo|bonjour|salut|hola|ciao|olá|привет|مرحبا|你好|こんにちは)\b",
    re.IGNORECASE,
)
_SHOWCASE = re.compile(
    r"\b(?:demo|showcase|markdown|code|table|tables|example|examples|format\w*|everything|"
    r"math|formula\w*|equation\w*|list|checklist|sample)\b",
    re.IGNORECASE,
)
_GREETING_WORDS = 6  # "hi there, how are you?": longer is a question that starts politely
# A quote, not italics: a language without italic letters (Arabic) shows it all the same.
IDENTITY = mark("This is chatdesk's built-in offline demo, not an AI model.")
_HELLO = mark(
    "Hello! To chat with a real model, choose **Connect a model** in the File menu: a model "
    "server on this computer (Ollama, LM Studio) or a hosted provider with its API key. "
    "Until then I answer with samples."
)
_CANNOT_ANSWER = mark(
    "I cannot really answer “{topic}”: I am a stand-in that lets chatdesk work without a "
    "network, not a language model. Connect a model (**Connect a model** in the File menu) and "
    "ask again for a real answer.\n\nAsk me for a **demo** to see how chatdesk shows code, "
    "tables and formulas."
)


def mock_answer(prompt: str, model: str = "mock-1") -> MockAnswer:
    """The demo's answer to `prompt`, by its kind: a greeting, a request for a demo, or any
    other question; under the line that says what answers."""
    seed = hashlib.sha256(f"{model}\0{prompt}".encode("utf-8", "surrogatepass")).digest()
    reasoning = random.Random(seed).choice(_REASONING)
    words = prompt.split()
    if (sample := sample_answer(prompt)) is not None:
        body = sample
    elif _GREETING.match(prompt) and len(words) <= _GREETING_WORDS:
        body = tr(_HELLO)
    elif _SHOWCASE.search(prompt) or not words:
        body = mock_showcase(prompt, model)
    else:
        body = tr(_CANNOT_ANSWER, topic=topic_of(prompt))
    return MockAnswer(f"> {tr(IDENTITY)}\n\n{body}", reasoning)


def mock_showcase(prompt: str, model: str = "mock-1") -> str:
    """Realistic Markdown about `prompt`: an opening, paragraphs, and some of code, lists,
    tables, formulas and quotes (benchmarks use it as a model's typical answer)."""
    seed = hashlib.sha256(f"{model}\0{prompt}".encode("utf-8", "surrogatepass")).digest()
    rng = random.Random(seed)
    topic = topic_of(prompt) or "your message"
    first, last = rng.sample(_PARAGRAPHS, 2)
    blocks = [rng.choice(_OPENINGS).format(topic=topic), first]
    extras = [_LISTS, _TABLES, _CODE, _MATH, _DISPLAY_MATH, _QUOTES, _CODE]
    rng.shuffle(extras)
    for group in extras[: rng.randint(3, 5)]:
        blocks.append(rng.choice(group))
    if not any(block.startswith("```") for block in blocks):
        blocks.append(rng.choice(_CODE))
    blocks.append(last)
    return "\n\n".join(blocks)


def tokens_of(text: str) -> list[str]:
    """Split text into small chunks the way a model streams it; joining them gives `text`."""
    return _TOKEN.findall(text)


# -- background requests -------------------------------------------------------------------------
# The mock answers chatdesk's own summary and title requests too, deterministically, so the
# offline app shows both: a summary lists what the user asked (rolling: the topics of the
# summary so far come first), a title is the first words of the first question.

_LEAD_INS = re.compile(
    r"^(?:(?:hi|hello|hey)[,!.]?\s+)?(?:please\s+|(?:can|could|would) you(?: please)?\s+)",
    re.IGNORECASE,
)
_EARLIER = re.compile(r"^- \((\d+) earlier topics?\)$")
_MAX_BULLETS = 8
_TITLE_WORDS = 6


def mock_title(conversation: str) -> str:
    """The first words of the first question (after "User: ", before "Assistant: "), its own
    words before a passage it quotes, without polite lead-ins."""
    _, _, asked = conversation.partition("User: ")
    question = own_words(asked.partition("\n\nAssistant: ")[0])
    words = _LEAD_INS.sub("", " ".join(question.split())).split()[:_TITLE_WORDS]
    title = " ".join(words).rstrip(".,;:!")
    return title[:1].upper() + title[1:] if title else "New chat"


def mock_summary(request_text: str, max_tokens: int | None = None) -> str:
    """Bullets of the topics asked about: the summary so far's, then each "User: …" line's;
    the oldest are folded into a count to stay short (about `max_tokens`, 4 characters each)."""
    previous, _, added = request_text.partition(MESSAGES_HEADING)
    earlier = 0
    topics: list[str] = []
    for line in previous.splitlines():
        if found := _EARLIER.match(line):
            earlier += int(found.group(1))
        elif line.startswith("- "):
            topics.append(line[2:])
    for line in added.splitlines():
        if line.startswith("User: "):
            topics.append(f"Asked about: {topic_of(line[6:])[:48]}")
    limit = _MAX_BULLETS
    while True:
        kept = topics[-limit:] if limit else []
        folded = earlier + len(topics) - len(kept)
        text = "\n".join(
            ([f"- ({folded} earlier topics)"] if folded else []) + [f"- {t}" for t in kept]
        )
        if not max_tokens or len(text) <= max_tokens * 4 or not kept:
            return text
        limit = len(kept) - 1
