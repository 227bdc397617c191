"""The offline demo's answers to the built-in assistants' whole examples: the prompts a new chat
suggests (chatdesk/core/assistants/builtin.py takes them from here), each answered as a model
would, in the user's language, so that a suggestion taken without a model connected shows what
chatdesk does with a real answer. An example the user finishes ("Translate into French: …")
is answered as any other question is (mock_text.py)."""

from __future__ import annotations

from chatdesk.core.i18n import mark, tr

DECLINE_NOTE = mark("Write a short, friendly note declining a meeting invitation.")
SAFE_AVERAGE = mark("Is sum(values) / len(values) a safe way to average a list in Python?")
TRAIN_STATION = mark("Translate “Where is the train station?” into French, Spanish and Japanese.")
DERIVATIVES = mark("Explain derivatives as if I had only done school algebra.")
ROMEO_AND_JULIET = mark("Summarise the story of Romeo and Juliet in five bullet points.")

# The answers are Markdown; the translator keeps its code, formulas and table as they are.
_ANSWERS = {
    DECLINE_NOTE: mark(
        "Hi Sam,\n\n"
        "Thank you for inviting me to Thursday's planning meeting. I'm sorry I can't join this "
        "time: I'm committed elsewhere that afternoon.\n\n"
        "If it helps, I'm happy to send my thoughts on the agenda beforehand, and I'll catch up "
        "from the notes afterwards.\n\n"
        "Best wishes,  \nAlex"
    ),
    SAFE_AVERAGE: mark(
        "Not for an empty list: `len(values)` is 0 there, and the division raises "
        "`ZeroDivisionError`.\n\n"
        "**The fix:** decide what an empty list means, in one place:\n\n"
        "```python\n"
        "def average(values: list[float]) -> float | None:\n"
        '    """The mean of `values`; None when there are none."""\n'
        "    if not values:\n"
        "        return None\n"
        "    return sum(values) / len(values)\n"
        "```\n\n"
        "Two smaller points:\n\n"
        "- A generator has no `len()`: take a list, or count the values as you add them.\n"
        "- `statistics.fmean(values)` is faster on many floats and rounds less; it raises "
        "`StatisticsError` on an empty list."
    ),
    TRAIN_STATION: mark(
        "| Language | Translation |\n"
        "|---|---|\n"
        "| French | Où est la gare ? |\n"
        "| Spanish | ¿Dónde está la estación de tren? |\n"
        "| Japanese | 駅はどこですか？ (*Eki wa doko desu ka?*) |\n\n"
        "Translator's note: in French, *la gare* is the railway station; a bus station is "
        "*la gare routière*."
    ),
    DERIVATIVES: mark(
        "A derivative measures how fast something changes at one instant.\n\n"
        "You know the slope of a straight line: how much it rises for each step to the right. "
        "A curve has no single slope, so take two points very close together and work out "
        "the slope between them:\n\n"
        "$$f'(x) = \\lim_{h \\to 0} \\frac{f(x + h) - f(x)}{h}$$\n\n"
        "Try it with $f(x) = x^2$:\n\n"
        "1. $f(x + h) - f(x) = 2xh + h^2$\n"
        "2. Divide by $h$: $2x + h$\n"
        "3. Let $h$ shrink to nothing: $f'(x) = 2x$\n\n"
        "So at $x = 3$ the curve climbs 6 units for each step to the right.\n\n"
        "**Your turn:** what do you get for $f(x) = 5x$, and why does it make sense for a "
        "straight line?"
    ),
    ROMEO_AND_JULIET: mark(
        "Two teenagers from feuding families in Verona fall in love and marry in secret; "
        "their deaths end the feud.\n\n"
        "- Romeo, a Montague, and Juliet, a Capulet, meet at a feast and fall in love at once.\n"
        "- Friar Laurence marries them in secret, hoping to reconcile the families.\n"
        "- Romeo kills Juliet's cousin Tybalt in a street fight and is banished.\n"
        "- To escape a forced marriage, Juliet takes a potion that makes her seem dead; the "
        "letter explaining the plan never reaches Romeo.\n"
        "- Romeo finds her in the tomb and poisons himself; Juliet wakes, finds him dead and "
        "stabs herself, and the families make peace."
    ),
}


def sample_answer(prompt: str) -> str | None:
    """The demo's answer to `prompt` when it is one of these examples, as the user reads it
    (in their language) or as stored (in English); else None."""
    asked = prompt.strip()
    for example, answer in _ANSWERS.items():
        if asked in (example, tr(example)):
            return tr(answer)
    return None
