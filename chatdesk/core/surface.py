"""The surface, by name: the core's modules the front-ends (`chatdesk.ui`, `chatdesk.cli`,
`chatdesk.api`) may import, and no others (docs/design.md §1, decision 0073).

A core module left out is closed to them: a new one stays the core's own until it is made
public here, on purpose, in the group that says why. `tests/test_surface_allowlist.py` reads
every import of the front-ends (lazy ones and those for type checking too) against this list,
and fails naming the module that imports anything else. A name is one module: a package's
name opens its `__init__`, not what is under it.
"""

from __future__ import annotations

SURFACE: tuple[str, ...] = (
    # The services the composition root (chatdesk/app.py) hands a front-end, and the named
    # services of ChatService: what a front-end calls.
    "chatdesk.core.service",
    "chatdesk.core.search",
    "chatdesk.core.transfer",
    "chatdesk.core.temporary",
    "chatdesk.core.database",  # the database before a core opens it (`db`, the damage dialog)
    "chatdesk.core.kept_file",  # Configuration.thread_list: the sidebar's list kept for the start
    "chatdesk.core.store.backups",  # Core.backups
    "chatdesk.core.sync.service",  # Core.team
    "chatdesk.core.providers.manager",  # Core.profiles
    "chatdesk.core.render.worker",  # Core.renderer
    "chatdesk.core.voice.speaking",  # Core.speaking
    "chatdesk.core.voice.transcribe",  # Core.voice
    "chatdesk.core.assistants.service",
    "chatdesk.core.assistants.prompts",
    "chatdesk.core.knowledge.service",
    "chatdesk.core.memory.service",
    "chatdesk.core.tools.service",
    "chatdesk.core.chat.attachments",
    "chatdesk.core.chat.caps",
    "chatdesk.core.chat.completions",
    # Setting the team's PostgreSQL up, which `chatdesk server` does with no core open.
    "chatdesk.core.sync.server.admin",
    "chatdesk.core.sync.server.purge",
    "chatdesk.core.sync.server.status",
    # The values, events, errors and kinds the services take and return.
    "chatdesk.core.views",
    "chatdesk.core.kinds",
    "chatdesk.core.errors",
    "chatdesk.core.chat.events",
    "chatdesk.core.chat.usage",
    "chatdesk.core.chat.budget",
    "chatdesk.core.assistants.model",
    "chatdesk.core.assistants.builtin",
    "chatdesk.core.attach.model",
    "chatdesk.core.knowledge.model",
    "chatdesk.core.memory.model",
    "chatdesk.core.search.views",
    "chatdesk.core.sync.address",
    "chatdesk.core.tools.model",
    "chatdesk.core.tools.approval",
    "chatdesk.core.tools.questions",
    "chatdesk.core.tools.prompt_values",
    "chatdesk.core.tools.mcp_resources",
    "chatdesk.core.tools.servers",
    "chatdesk.core.tools.signin",
    "chatdesk.core.tools.signout",
    "chatdesk.core.providers.profiles",
    "chatdesk.core.providers.catalogue",
    "chatdesk.core.providers.state",
    "chatdesk.core.voice.models",
    "chatdesk.core.voice.reading",
    "chatdesk.core.voice.recording",
    "chatdesk.core.voice.playback",
    "chatdesk.core.extras",  # Core.extras: chatdesk's extras, their state, sizes and install
    "chatdesk.core.web.searching",
    "chatdesk.core.web.service",  # open_web: the web's search and page reading (`chatdesk web`)
    # What a provider's answer is made of (its stream's events, its failure and kinds) and its
    # embeddings: the local API relays them to its clients as they are.
    "chatdesk.core.providers.base",
    "chatdesk.core.providers.embeddings",
    # What the window draws a message with: the render's values and the palette it is given.
    "chatdesk.core.render.model",
    "chatdesk.core.render.palette",
    "chatdesk.core.render.kept",
    "chatdesk.core.render.plain",
    "chatdesk.core.render.streaming",
    # Words, settings and the small foundations every front-end stands on.
    "chatdesk.core.i18n",
    "chatdesk.core.units",
    "chatdesk.core.paths",
    "chatdesk.core.package_data",
    "chatdesk.core.config",
    "chatdesk.core.settings_outside",
    "chatdesk.core.settings_schema",
    "chatdesk.core.settings_start",
    "chatdesk.core.secrets",
    "chatdesk.core.api_keys",
    "chatdesk.core.handover",
    "chatdesk.core.lazy_metadata",  # importlib.metadata run when first used, set before the core
    "chatdesk.core.login_item",
    "chatdesk.core.trust.links",
    "chatdesk.core.trust.app_links",
    "chatdesk.core.trust.files",
    "chatdesk.core.tokens.estimate",
    "chatdesk.core.tokens.images",
    # Values of modules that also do I/O, which the window reaches only through a service: the
    # log file's place (shown in Help), a local server found (Core.profiles finds them), the
    # resolver's type the Web switch hands Tools.web_problem.
    "chatdesk.core.logs",
    "chatdesk.core.providers.discovery",
    "chatdesk.core.web.addresses",
)
