"""The assistants a new chatdesk starts with (added once, by migration 0010; the user may edit,
duplicate or delete them like their own). Each one's first example is a whole question, which a
new chat suggests (migration 0019 gave it to those made before); the offline demo answers those
(chatdesk/core/providers/mock_samples.py).

The database holds their English words. Their name, description and examples are shown in the
user's language (`shown`) as long as they are the words chatdesk wrote: a field the user changed
is their own and stays as typed. A form saved with a field left as it was shown keeps the stored
English (`kept`), so exports, sync and other languages still see chatdesk's words. Their system
prompts are the model's instructions and stay English, as every prompt does.
"""

from __future__ import annotations

from dataclasses import replace
from functools import cache

from chatdesk.core.assistants.model import AssistantFields
from chatdesk.core.i18n import mark, tr
from chatdesk.core.providers.mock_samples import (
    DECLINE_NOTE,
    DERIVATIVES,
    ROMEO_AND_JULIET,
    SAFE_AVERAGE,
    TRAIN_STATION,
)

BUILT_IN: tuple[AssistantFields, ...] = (
    AssistantFields(
        name=mark("Careful writer"),
        icon="✍️",
        colour="#7c4dff",
        description=mark("Drafts and edits prose that is clear, plain and correct."),
        system_prompt=(
            "You are a careful writer and editor. Write plain, concrete English: short sentences, "
            "active verbs, no filler, no clichés, no hype. Keep the author's meaning and voice; "
            "when you edit, change only what makes the text clearer or correct, and list what "
            "you changed and why in a few bullets after the text. When a request is ambiguous "
            "(audience, length, tone), ask one short question first. Never invent facts, "
            "quotations or sources; mark anything the author must check with [check]."
        ),
        temperature=0.7,
        examples=(
            DECLINE_NOTE,
            mark("Make this email shorter and friendlier: "),
            mark("Edit this paragraph for clarity, and tell me what you changed: "),
            mark("Write a one-paragraph product description for "),
        ),
    ),
    AssistantFields(
        name=mark("Code reviewer"),
        icon="🔍",
        colour="#00897b",
        description=mark("Reviews code for bugs, security and clarity, most serious first."),
        system_prompt=(
            "You are a senior engineer reviewing code. Read the whole change before commenting. "
            "Report what matters, most serious first: bugs and wrong behaviour, security "
            "problems (injection, unchecked input, secrets, unsafe deserialisation), data loss, "
            "concurrency and resource leaks, then clarity and tests. For each finding give the "
            "place (file, function or line), what goes wrong and when, and a concrete fix as a "
            "short code block. Do not restate the code, praise it, or pad with style nits a "
            "formatter would fix. If the code is sound, say so in one sentence. If you need "
            "context you were not given, say what and why."
        ),
        temperature=0.2,
        examples=(
            SAFE_AVERAGE,
            mark("Review this function for bugs and edge cases:\n\n```\n\n```"),
            mark("Is this SQL query safe from injection? "),
            mark("What tests would you add for this code? "),
        ),
    ),
    AssistantFields(
        name=mark("Translator"),
        icon="🌐",
        colour="#1e88e5",
        description=mark("Translates faithfully and naturally, keeping tone and formatting."),
        system_prompt=(
            "You are a professional translator. Translate the user's text into the language "
            "they ask for; when they name none, translate into English, or from English into "
            "the language they write to you in. Keep the meaning, tone, register and "
            "formatting (Markdown, lists, code, placeholders such as {name} or %s) exactly; "
            "translate idioms by their sense, not word for word. Give only the translation. "
            "When a word or phrase has no clear equivalent or the source is ambiguous, add a "
            "short translator's note after the translation."
        ),
        temperature=0.3,
        examples=(
            TRAIN_STATION,
            mark("Translate into French: "),
            mark("Translate into Japanese, polite register: "),
            mark("What does this German sentence mean? "),
        ),
    ),
    AssistantFields(
        name=mark("Tutor"),
        icon="🎓",
        colour="#f4511e",
        description=mark("Teaches step by step, checking what you understood."),
        system_prompt=(
            "You are a patient tutor. Find out what the learner already knows before "
            "explaining, then teach one idea at a time with a small, concrete example. Prefer "
            "guiding questions to giving answers away: when the learner brings an exercise, "
            "help them reach the solution themselves, and give the full solution only when "
            "they ask for it. After each step, check understanding with a short question. "
            "Correct mistakes kindly and precisely, saying why the wrong idea is tempting. Use "
            "formulas in LaTeX ($...$) where they help."
        ),
        temperature=0.5,
        examples=(
            DERIVATIVES,
            mark("Help me understand why this proof works: "),
            mark("Quiz me on the French past tenses."),
        ),
    ),
    AssistantFields(
        name=mark("Summariser"),
        icon="📝",
        colour="#6d4c41",
        description=mark("Condenses long texts into the points that matter."),
        system_prompt=(
            "You summarise texts faithfully. Start with one sentence that says what the text "
            "is and its main conclusion, then give the key points as a short bulleted list, "
            "each a complete statement, in the order of importance; keep numbers, names, "
            "dates and decisions exactly as written. Add nothing that is not in the text and "
            "say when the text is unclear or contradicts itself. End with open questions or "
            "actions if the text has any. Keep the summary under a fifth of the original "
            "unless asked otherwise."
        ),
        temperature=0.2,
        examples=(
            ROMEO_AND_JULIET,
            mark("Summarise this article: "),
            mark("Give me the decisions and action items from these meeting notes: "),
            mark("Summarise the attached document in five bullet points."),
        ),
    ),
)


def said(text: str) -> str:
    """`text` in the user's language when it is one of the built-in assistants' own words
    (a name, a description, an example), else as it is."""
    return tr(text) if text in _words() else text


def shown(fields: AssistantFields) -> AssistantFields:
    """The assistant as the user reads it: a built-in's words in the user's language."""
    return replace(
        fields,
        name=said(fields.name),
        description=None if fields.description is None else said(fields.description),
        examples=tuple(said(example) for example in fields.examples),
    )


def kept(new: AssistantFields, stored: AssistantFields) -> AssistantFields:
    """`new`, from a form that showed `stored` as `shown` shows it: a field left as it was
    shown keeps the stored words, a changed one is the user's."""
    seen = shown(stored)
    return replace(
        new,
        name=stored.name if new.name == seen.name else new.name,
        description=stored.description if new.description == seen.description else new.description,
        examples=stored.examples if new.examples == seen.examples else new.examples,
    )


@cache
def _words() -> frozenset[str]:
    return frozenset(
        text
        for fields in BUILT_IN
        for text in (fields.name, fields.description or "", *fields.examples)
        if text
    )
