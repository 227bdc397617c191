"""A second tour, of what tests/ui/tour.py leaves out: the parts of the window that a tool
server, the web, the local API and memory bring, and the dialogs they open. A window over a core
serving its local API, a web engine set (on no real address) and the test MCP server
(tests/core/mcp_server.py) on in a chat: a call waiting for approval, a server's form question
and its web-address question with the confirmation it opens, the model's proposals to keep,
forget and change a memory, Remember this…, the slash menu and a server prompt's form, "+" ▸
Resource from a server…, the "+" menu open with Web and Research on, a chat's and a project's
row menus, the help dialogs, each hosted provider on Connect a model, a temporary chat; and in
Preferences the Local API page serving, the Tools form for each kind of server, a provider's
editor with its key saved, the Data page with a restore waiting, the Team page unfolded, a
knowledge base with a file chosen and its folder dialog, an assistant's editor with its tool
servers chosen.
`tour_more` calls `look()` at each stop."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from chatdesk.app import Core
from chatdesk.core.providers.catalogue import HOSTED
from chatdesk.core.providers.profiles import ProviderProfile
from chatdesk.core.tools.model import Policy
from chatdesk.core.tools.servers import Transport
from chatdesk.ui.attachments.resource_browser import ResourceBrowser
from chatdesk.ui.conversation.question_card import QuestionCard
from chatdesk.ui.main_window import MainWindow
from chatdesk.ui.settings.assistant_editor import AssistantEditor
from chatdesk.ui.settings.knowledge_sources import FolderPatterns
from chatdesk.ui.settings.profile_editor import ProfileEditor
from chatdesk.ui.settings.server_form import ServerForm
from tests.core.mcp_helpers import chat_with_server
from tests.ui import composer_parts
from tests.ui.tool_windows import last_card, waiting
from tests.ui.tour import choose, close_dialogs, rows_in, shown, visible_child

WAIT = 30_000  # ms: the test server starts as its own process (never reached when all is well)
SERVER = "shop"
# The environment of the core toured: its local API served, a web engine on no real address.
ENVIRONMENT = {
    "CHATDESK_API_ENABLED": "true",
    "CHATDESK_WEB_ENGINE": "searxng",
    "CHATDESK_WEB_SEARXNG_URL": "http://127.0.0.1:9/searx",
}
REMEMBER = "Remember that I work on the Rust compiler"  # the mock model proposes a memory


Look = Callable[[], None]


def tour_more(main: MainWindow, core: Core, qtbot: QtBot, finish: Any, look: Look) -> None:
    thread = finish(chat_with_server(core.service, SERVER, "Questions"))
    base = finish(core.service.knowledge.create("Style guides"))
    notes = core.config.paths.data_dir.parent / "style.md"
    notes.write_text("# House style\n\nWrite plainly.\n", encoding="utf-8")
    finish(core.service.knowledge.add(base.id, notes))
    project = finish(core.service.create_project("Work"))
    main.show_thread(thread.id)
    qtbot.waitUntil(lambda: main.current_thread_id == thread.id)
    walk_help(main, qtbot, look)
    walk_calls(main, core, qtbot, look)
    walk_memory(main, core, qtbot, finish, look)
    walk_slash_prompt(main, qtbot, look)
    walk_resources(main, qtbot, look)
    walk_switches(main, qtbot, look)
    walk_row_menus(main, qtbot, look, (thread.id, project.id))
    walk_connect_choices(main, qtbot, look)
    walk_preferences_more(main, core, qtbot, finish, look)
    walk_temporary(main, qtbot, look)


def walk_help(main: MainWindow, qtbot: QtBot, look: Look) -> None:
    """Help ▸ Keyboard shortcuts, About chatdesk, Report a problem…"""
    for name in ("help.show_shortcuts", "help.about", "help.report_problem"):
        main.help.dialog = None
        main.menus.actions[name].trigger()
        shown(lambda: main.help.dialog, qtbot)
        look()
        close_dialogs()


def walk_switches(main: MainWindow, qtbot: QtBot, look: Look) -> None:
    """The composer's "+" menu open, Web and Research on (their chips in the row)."""
    composer = main.composer
    qtbot.waitUntil(lambda: composer.plus_menu.research.isVisible())
    composer.plus_menu.research.trigger()  # as its entry in "+" does; the web with it
    on = ("web", "research")  # beside the tools the tour's servers brought
    qtbot.waitUntil(lambda: [k for k in composer_parts.chips(composer) if k in on] == list(on))
    composer_parts.open_plus(qtbot, composer)
    look()
    composer_parts.close_menus(qtbot)
    composer_parts.switch_off(qtbot, composer, "web")  # and Research with it
    qtbot.waitUntil(lambda: not set(on) & set(composer_parts.chips(composer)))


def sent(main: MainWindow, qtbot: QtBot, text: str) -> None:
    count = len(main.conversation.messages())
    main.composer.set_text(text)
    qtbot.keyClick(main.composer.editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: len(main.conversation.messages()) == count + 2)


def answered(main: MainWindow, qtbot: QtBot) -> None:
    qtbot.waitUntil(lambda: main.conversation.messages()[-1].status.is_final, timeout=WAIT)


def walk_calls(main: MainWindow, core: Core, qtbot: QtBot, look: Look) -> None:
    """A call waiting for approval; the server's form question; its web-address question, then
    the confirmation its Open in browser… asks for."""
    core.service.tools.policies.set(SERVER, Policy.ASK)
    sent(main, qtbot, "use the ask_form tool")
    qtbot.waitUntil(lambda: waiting(main), timeout=WAIT)
    card = last_card(main)
    assert card is not None
    qtbot.waitUntil(card.choice_buttons["once"].isVisible)
    look()
    card.choice_buttons["once"].click()
    question = asked(main, qtbot)
    look()
    question.buttons["decline"].click()
    answered(main, qtbot)
    core.service.tools.policies.set(SERVER, Policy.ALLOW)
    sent(main, qtbot, "use the ask_url tool")
    question = asked(main, qtbot)
    look()
    question.buttons["accept"].click()
    qtbot.waitUntil(question.buttons["open"].isVisible)
    look()
    question.buttons["cancel"].click()
    answered(main, qtbot)


def asked(main: MainWindow, qtbot: QtBot) -> QuestionCard:
    """The server's question, once its card is on screen."""
    cards = main.actions_.asks.cards
    qtbot.waitUntil(lambda: len(cards) == 1, timeout=WAIT)
    [card] = cards.values()
    qtbot.waitUntil(card.isVisible)
    return card


def walk_memory(main: MainWindow, core: Core, qtbot: QtBot, finish: Any, look: Look) -> None:
    """The model's proposals, to keep a memory, to forget one and to change one, on their
    cards; then a message's Remember this…"""
    assert core.service.memory is not None
    kept = finish(core.service.memory.add("I write in British English.", always=True))
    change = f'use the update_memory tool with memory={kept.id} text="I write in Canadian English."'
    for asking in (REMEMBER, f"forget memory {kept.id}", change):
        sent(main, qtbot, asking)
        qtbot.waitUntil(lambda: waiting(main), timeout=WAIT)
        card = last_card(main)
        assert card is not None
        qtbot.waitUntil(card.choice_buttons["deny"].isVisible)
        look()
        card.choice_buttons["deny"].click()
        answered(main, qtbot)
    question = main.view.widgets[-2]
    remember = question.footer.remember
    qtbot.waitUntil(lambda: remember.isVisibleTo(question))
    remember.click()
    actions = main.actions_.memory
    shown(lambda: actions.dialog, qtbot)
    look()
    close_dialogs()


def walk_slash_prompt(main: MainWindow, qtbot: QtBot, look: Look) -> None:
    """The slash menu, and a server prompt's arguments asked for in their form."""
    composer = main.composer
    slash = composer.slash
    listed = "shop › Review code"
    composer.editor.clear()
    qtbot.keyClick(composer.editor, Qt.Key.Key_Slash)

    def offered() -> bool:
        return any(slash.item(i).text() == listed for i in range(slash.count()))

    qtbot.waitUntil(offered, timeout=WAIT)
    look()
    qtbot.keyClicks(composer.editor, "rev")
    qtbot.keyClick(composer.editor, Qt.Key.Key_Return)
    servers = main.models.slash.servers
    shown(lambda: servers.form, qtbot)
    look()
    close_dialogs()
    composer.editor.clear()


def walk_resources(main: MainWindow, qtbot: QtBot, look: Look) -> None:
    """ "+" ▸ Resource from a server…, once every server has answered."""
    main.composer.plus_menu.resource.trigger()  # as its entry in "+" does, in any language
    qtbot.waitUntil(lambda: main.composer.findChild(ResourceBrowser) is not None)
    browser = main.composer.findChild(ResourceBrowser)
    assert browser is not None
    qtbot.waitUntil(lambda: browser.status.text() == "", timeout=WAIT)
    look()
    browser.reject()


def walk_row_menus(main: MainWindow, qtbot: QtBot, look: Look, ids: tuple[Any, Any]) -> None:
    """The menus of a chat's row and of a project's row in the sidebar."""
    model = main.sidebar.model
    thread_id, project_id = ids
    qtbot.waitUntil(lambda: model.index_of_project(project_id).isValid())
    for index in (model.index_of_thread(thread_id), model.index_of_project(project_id)):
        menu = main.sidebar.commands.menu_for(index)
        assert menu is not None
        look()
        menu.setParent(None)  # the next look sees the next menu only
        menu.deleteLater()


def walk_connect_choices(main: MainWindow, qtbot: QtBot, look: Look) -> None:
    """File ▸ Connect a model, with each hosted provider chosen in turn."""
    main.menus.actions["connecting.offer"].trigger()
    page = main.connecting.page
    assert page is not None
    qtbot.waitUntil(page.local.again.isEnabled)
    for entry in HOSTED:
        page.choose(entry.id)
        look()
    main.connecting.close()


def walk_preferences_more(
    main: MainWindow, core: Core, qtbot: QtBot, finish: Any, look: Look
) -> None:
    """Preferences: the Local API page serving, the Tools forms, a provider's editor with its key
    saved, the Data page with a restore waiting for the next start, the Team page unfolded, a
    knowledge base with a file and its folder dialog, an assistant's editor."""
    keyed = ProviderProfile("keyed", "https://api.example.com/v1")
    finish(core.profiles.save(keyed, key="sk-test-0123456789"))
    backup = finish(core.backups.back_up_now())
    finish(core.backups.schedule_restore(backup.path))
    main.settings.open_preferences(api_tab=True)
    dialog = main.settings.dialog
    assert dialog is not None
    api = dialog.api
    qtbot.waitUntil(lambda: api.show_key.isVisible() and api.show_key.isEnabled())
    look()  # the Local API page, serving, with its key and snippets
    walk_server_forms(dialog, qtbot, look)
    walk_keyed_profile(dialog, qtbot, look)
    dialog.tabs.setCurrentWidget(dialog.data)
    qtbot.waitUntil(dialog.data.cancel_restore.isVisible)
    look()
    finish(core.backups.cancel_restore())
    team = dialog.team
    dialog.tabs.setCurrentWidget(team)
    team.fold(True)
    look()
    knowledge = dialog.knowledge
    dialog.tabs.setCurrentWidget(knowledge)
    qtbot.waitUntil(lambda: knowledge.list.count() > 0)
    knowledge.list.setCurrentRow(0)
    qtbot.waitUntil(knowledge.indexing.index_button.isEnabled)  # its file indexed
    sources = knowledge.sources.tree
    sources.setCurrentItem(sources.topLevelItem(0))
    qtbot.waitUntil(knowledge.sources.remove_button.isEnabled)
    look()  # a base with a file, chosen: Index now, Add and Remove
    folder = FolderPatterns(str(Path.home()), knowledge)
    folder.open()
    qtbot.waitUntil(folder.isVisible)
    look()
    folder.reject()
    walk_assistant_editor(dialog, qtbot, look)
    dialog.reject()


def walk_server_forms(dialog: Any, qtbot: QtBot, look: Look) -> None:
    """A new server's form with each kind chosen, and the form of the server in the chat."""
    tools = dialog.tools
    dialog.tabs.setCurrentWidget(tools)
    tools.open_add()
    form = shown(lambda: tools.server_form, qtbot)
    assert isinstance(form, ServerForm)
    for kind in (Transport.STDIO, Transport.HTTP, Transport.SSE):
        form.kind.setCurrentIndex(form.kind.findData(kind))
        look()
    form.reject()
    qtbot.waitUntil(lambda: tools.list.topLevelItemCount() > 1)
    choose(tools.list, SERVER)
    tools.open_edit()
    qtbot.waitUntil(lambda: tools.server_form is not form and tools.server_form.isVisible())
    look()
    tools.server_form.reject()


def walk_keyed_profile(dialog: Any, qtbot: QtBot, look: Look) -> None:
    """The editor of a provider's profile whose key is saved: Forget key shows."""
    providers = dialog.providers
    dialog.tabs.setCurrentWidget(providers)
    qtbot.waitUntil(lambda: rows_in(providers) > 1)
    providers.select("keyed")
    providers.edit_current()
    editor = shown(lambda: visible_child(providers, ProfileEditor), qtbot)
    assert isinstance(editor, ProfileEditor)
    qtbot.waitUntil(editor.key.forget.isVisible)
    look()
    editor.reject()


def walk_assistant_editor(dialog: Any, qtbot: QtBot, look: Look) -> None:
    """A new assistant's editor with its chats started with tool servers."""
    assistants = dialog.assistants
    dialog.tabs.setCurrentWidget(assistants)
    assistants.open_new()
    editor = shown(lambda: assistants.editor, qtbot)
    assert isinstance(editor, AssistantEditor)
    editor.tools_set.setChecked(True)
    look()
    editor.reject()


def walk_temporary(main: MainWindow, qtbot: QtBot, look: Look) -> None:
    """A temporary chat, with a word typed."""
    main.menus.actions["temporary.start"].trigger()
    qtbot.waitUntil(lambda: main.temporary.shown)
    main.composer.set_text("a word")
    look()
    main.composer.editor.clear()
