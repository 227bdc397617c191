"""Every SQL and ORM statement of the chat package: plain functions over a Session, run by the
Store on its threads (`Store.read`/`Store.write`); they return frozen views, never live rows.

By subject: `rows` (a row by id, and the views of rows), `threads` (projects and threads),
`branches` (the message tree and the branch on screen), `attachments`, `turns` (the transaction
that starts a turn), `answers` (an answer from its start to its end), `tools` (an answer's tool
calls and results, a chat's tool servers), `counts` (a branch read upwards for token counting,
and the counts' cache), `titles`, `drafts`, `usage` (tokens and cost, the models used last),
`retention` (purging deleted threads). Callers import the package
(`from chatdesk.core.chat import repository as repo`) and call `repo.<function>`.
"""

from chatdesk.core.chat.repository.answers import (
    finish_answer,
    interrupt_unfinished,
    reopen_answer,
    save_progress,
    set_reasoning,
)
from chatdesk.core.chat.repository.attachments import (
    add_attachments,
    attachment,
    attachment_text,
    attachment_texts,
    with_attachments,
)
from chatdesk.core.chat.repository.branches import (
    delete_branch,
    delete_message,
    delete_messages,
    end_of_branch,
    full_message,
    insert_message,
    set_active_leaf,
    sibling_ids,
    subtree_ids,
    switch_branch,
)
from chatdesk.core.chat.repository.counts import CountUpdate, message_texts, save_counts, walk_up
from chatdesk.core.chat.repository.cuts import cut_records, record_cuts
from chatdesk.core.chat.repository.outside import Outside, answer_and_owner, written_outside
from chatdesk.core.chat.repository.pages import branch_page, path_to
from chatdesk.core.chat.repository.retention import Purged, purge_batch
from chatdesk.core.chat.repository.rows import (
    existing_messages,
    message_row,
    message_views,
    project_of,
    project_row,
    project_view,
    thread_row,
    thread_view,
)
from chatdesk.core.chat.repository.sources import add_sources, sources_of, with_sources
from chatdesk.core.chat.repository.threads import (
    DEFAULT_TITLE,
    create_thread,
    delete_project,
    list_projects,
    list_threads,
    new_project,
    new_thread,
    resolve_thread_id,
    save_project,
    update_project,
    update_thread,
)
from chatdesk.core.chat.repository.titles import TitleInputs, retitle, title_inputs
from chatdesk.core.chat.repository.tools import (
    add_parts,
    add_result_images,
    close_open_calls,
    set_thread_tools,
    thread_tools,
    tool_call_view,
    tool_calls_of,
    tool_parts,
    tool_time,
    tool_time_of,
    update_call,
    with_tool_calls,
)
from chatdesk.core.chat.repository.turns import start_turn
from chatdesk.core.chat.repository.usage import recent_models, thread_usage, usage_by_month

__all__ = [
    "DEFAULT_TITLE",
    "CountUpdate",
    "Outside",
    "Purged",
    "TitleInputs",
    "add_attachments",
    "add_parts",
    "add_result_images",
    "add_sources",
    "answer_and_owner",
    "attachment",
    "attachment_text",
    "attachment_texts",
    "branch_page",
    "close_open_calls",
    "create_thread",
    "cut_records",
    "delete_branch",
    "delete_message",
    "delete_messages",
    "delete_project",
    "end_of_branch",
    "existing_messages",
    "finish_answer",
    "full_message",
    "insert_message",
    "interrupt_unfinished",
    "list_projects",
    "list_threads",
    "message_row",
    "message_texts",
    "message_views",
    "new_project",
    "new_thread",
    "path_to",
    "project_of",
    "project_row",
    "project_view",
    "purge_batch",
    "recent_models",
    "record_cuts",
    "reopen_answer",
    "resolve_thread_id",
    "retitle",
    "save_counts",
    "save_progress",
    "save_project",
    "set_active_leaf",
    "set_reasoning",
    "set_thread_tools",
    "sibling_ids",
    "sources_of",
    "start_turn",
    "subtree_ids",
    "switch_branch",
    "thread_row",
    "thread_tools",
    "thread_usage",
    "thread_view",
    "title_inputs",
    "tool_call_view",
    "tool_calls_of",
    "tool_parts",
    "tool_time",
    "tool_time_of",
    "update_call",
    "update_project",
    "update_thread",
    "usage_by_month",
    "walk_up",
    "with_attachments",
    "with_sources",
    "with_tool_calls",
    "written_outside",
]
