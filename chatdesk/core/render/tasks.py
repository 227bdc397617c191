"""GitHub task list items ("- [ ] todo", "- [x] done") as ☐ / ☑ characters.

Qt's rich text has no checkbox that is not a form input, and inputs have no place in a message.
"""

from __future__ import annotations

from collections.abc import Sequence

from markdown_it.token import Token

_BOXES = {"[ ]": "☐", "[x]": "☑", "[X]": "☑"}


def mark_task_items(tokens: Sequence[Token]) -> None:
    """GitHub task items: "[ ] " / "[x] " at the start of a list item become ☐ / ☑ (characters,
    not inputs), and a bullet list made only of task items loses its bullets."""
    lists: list[Token] = []
    for at, token in enumerate(tokens):
        if token.type in ("bullet_list_open", "ordered_list_open"):
            token.meta.update(items=0, tasks=0)
            lists.append(token)
        elif token.type in ("bullet_list_close", "ordered_list_close"):
            done = lists.pop()
            done.meta["all_tasks"] = done.meta["items"] == done.meta["tasks"] > 0
        elif token.type == "list_item_open" and lists:
            lists[-1].meta["items"] += 1
            lists[-1].meta["tasks"] += _mark_task(tokens, at)


def _mark_task(tokens: Sequence[Token], item: int) -> bool:
    following = tokens[item + 1 : item + 3]
    if len(following) < 2 or following[1].type != "inline" or not following[1].children:
        return False
    first = following[1].children[0]
    box = _BOXES.get(first.content[:3])
    if first.type != "text" or box is None or first.content[3:4] not in (" ", ""):
        return False
    first.content = box + first.content[3:]
    return True
