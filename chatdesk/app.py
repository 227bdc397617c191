"""The composition root: the one place that builds settings → store → providers → service → UI,
from the folders and settings `chatdesk/configuration.py` reads.

The window imports this module before its first paint (for `run_window`), so everything else
(the settings' schema, the store and the service with SQLAlchemy, the providers, the event
bus) is imported by the functions that build it, which run behind the window (the start-up
budget, `docs/design.md` §11).
"""

from __future__ import annotations

import contextlib
import functools
import gc
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import asyncio

    from chatdesk.configuration import Configuration, WindowStart
    from chatdesk.core.assembly import Shared
    from chatdesk.core.chat.events import EventBus
    from chatdesk.core.chat.outside import OutsideWatch
    from chatdesk.core.config import Settings
    from chatdesk.core.extras import Extras
    from chatdesk.core.handover import Request
    from chatdesk.core.maintenance import Maintenance
    from chatdesk.core.paths import Paths
    from chatdesk.core.providers.base import Providers
    from chatdesk.core.providers.manager import ProviderManager
    from chatdesk.core.render.kept import KeptRenders
    from chatdesk.core.render.worker import RenderWorker
    from chatdesk.core.search import Search
    from chatdesk.core.secrets import KeyStore, SessionKeys
    from chatdesk.core.service import ChatService
    from chatdesk.core.store import Store
    from chatdesk.core.store.backups import Backups
    from chatdesk.core.store.blobs import BlobStore
    from chatdesk.core.store.opening import StartupChecks
    from chatdesk.core.sync.base import LoopPublisher
    from chatdesk.core.sync.engine import SyncEngine
    from chatdesk.core.sync.service import TeamSync
    from chatdesk.core.temporary import TemporaryChats
    from chatdesk.core.transfer import Transfer
    from chatdesk.core.voice.speaking import Speaking
    from chatdesk.core.voice.transcribe import Voice
    from chatdesk.core.web.service import Web


@dataclass(frozen=True)
class Insides:
    """What the services are made over: the store, the providers and what the process shares
    (the reading child's supervisor, the keyring). The composition root and the tests hold
    them; a front-end gets the services instead (decision 0073)."""

    store: Store
    providers: Providers
    shared: Shared


@dataclass
class Core:
    """Everything below the UI, built and torn down together: the named services a front-end
    calls (docs/design.md §1), over the `insides` they were made with."""

    config: Configuration
    insides: Insides
    profiles: ProviderManager
    service: ChatService
    backups: Backups
    search: Search
    maintenance: Maintenance
    startup: StartupChecks  # what opening the database did: a scheduled restore, its check
    sync_events: LoopPublisher
    team: TeamSync  # team sync for the window and the CLI (async, and setting the server up)
    _resuming: asyncio.Future[None] | None = field(default=None, init=False, repr=False)

    @property
    def keys(self) -> KeyStore | SessionKeys:
        """The keyring: the local API's keys are kept in it."""
        return self.insides.shared.keys

    @functools.cached_property
    def transfer(self) -> Transfer:
        """Export and import, made on first use: the window pays for them only when asked."""
        from chatdesk.core.transfer import Transfer

        return Transfer(
            self.insides.store,
            bus=self.service.events,
            renderer=self.renderer,
            reader=self.insides.shared.reader,
            memories=self.service.memory,
        )

    @functools.cached_property
    def speaking(self) -> Speaking:
        """Reading aloud, made on first use: nothing of voice loads until it is asked for."""
        from chatdesk.core.voice.speaking import Speaking

        return Speaking(self.config.settings.voice, self.insides.providers)

    @functools.cached_property
    def renderer(self) -> RenderWorker:
        """The one render worker, the window's and HTML export's, made when first asked for
        (the window attaching, an export): its child starts with the first message to format,
        and a command that formats nothing never imports it."""
        from chatdesk.core.render.worker import RenderWorker

        return RenderWorker()

    @functools.cached_property
    def extras(self) -> Extras:
        """chatdesk's extras (decision 0075): their state and sizes, and their install; the
        render worker is told of formulas installed, so the next message draws them."""
        from chatdesk.core.extras import Extras

        return Extras(installed=self._extra_installed)

    def _extra_installed(self, name: str) -> None:
        if "renderer" in self.__dict__:  # made: its child must see the new package
            self.renderer.extra_installed(name)

    @functools.cached_property
    def kept_renders(self) -> KeptRenders:
        """Formatting kept across runs in the cache folder, for the window: its file work runs
        on its own thread."""
        from chatdesk.core.render.kept import KeptRenders

        return KeptRenders(self.config.paths.cache_dir)

    @functools.cached_property
    def voice(self) -> Voice:
        """Speech to text and recording, made on first use: a start that does not use voice
        never imports it."""
        from chatdesk.core.voice.transcribe import Voice

        return Voice(
            # the settings in use, which the service's parts share (Preferences' changes too)
            lambda: self.service.tools.settings.voice,
            self.insides.providers,
            self.config.paths.voice_models_dir,
            self.extras,
        )

    @functools.cached_property
    def outside(self) -> OutsideWatch:
        """The watch of what other chatdesk processes write to this database, made when first
        asked for (`watch_outside`): a command that runs once never pays for it."""
        from chatdesk.core.chat.outside import OutsideWatch

        return OutsideWatch(self.insides.store, self.service.events)

    def watch_outside(self) -> None:
        """Tell this core's front-end, as the service's own events, what other processes
        write (the command line, a `serve`, another window): for a long-running core, once it
        is attached (decision 0041)."""
        self.outside.start()

    async def temporary(self, settings: Settings) -> TemporaryChats:
        """Chats that live only in memory (the window's temporary chat), with this database's
        assistants and saved prompts, kept into it when asked."""
        from chatdesk.core.temporary import open_temporary

        paths = self.config.paths
        return await open_temporary(
            paths,
            self.insides.providers,
            settings,
            self.insides.store,
            self.service.events,
            self.insides.shared,
        )

    async def start(self) -> None:
        import asyncio  # not at the top: the window imports this module before its first paint

        self.sync_events.attach(asyncio.get_running_loop())
        await self.team.prepare()  # before the first write: it may record it
        await self.profiles.load()
        if (
            self.insides.store.blocked is None
        ):  # read-only: recovered once it can write (start_maintenance)
            await self.service.recover_interrupted()

    def start_maintenance(self) -> None:
        """The daily backup, the purge of expired deleted threads, team sync's worker and the
        knowledge bases' look at their folders, for a long-running core (the window); commands
        do not wait for them. A core opened
        read-only starts them once it can write again, and says so."""
        import asyncio

        if self.insides.store.blocked is None:
            self.maintenance.start()
            self.team.start()
            self.service.knowledge.watch()
        elif self._resuming is None:
            self._resuming = asyncio.ensure_future(self._resume_when_writable())

    async def _resume_when_writable(self) -> None:
        from chatdesk.core.chat.events import SavingStateChanged
        from chatdesk.core.store.access import wait_until_writable

        await wait_until_writable(self.insides.store)
        self.service.events.publish(SavingStateChanged(None))
        await self.service.recover_interrupted()
        self.maintenance.start()
        self.team.start()
        self.service.knowledge.watch()

    async def aclose(self) -> None:
        """Stop answers (keeping what arrived), close connections, checkpoint the database."""
        import asyncio

        if self._resuming is not None:
            self._resuming.cancel()
            await asyncio.gather(self._resuming, return_exceptions=True)
        try:
            if "outside" in self.__dict__:  # made (a long-running front-end)
                await self.outside.aclose()
            await asyncio.to_thread(self.team.stop)
            await self.maintenance.aclose()
            await self.service.aclose()
            await self.profiles.aclose()
            await self.insides.providers.aclose()
            if "renderer" in self.__dict__:  # made (the window attached, or an export)
                await self.renderer.aclose()
        finally:
            self.insides.shared.close()
            self.backups.close()
            self.insides.store.close()


def build_profiles(
    paths: Paths,
    providers: Providers,
    bus: EventBus,
    *,
    keys: KeyStore | None = None,
    environ: Mapping[str, str] | None = None,
) -> ProviderManager:
    """The user's provider profiles (loaded by `Core.start`), added to `providers` as they load;
    "openai" too when OPENAI_API_KEY is set."""
    from chatdesk.core.chat.events import ProvidersChanged
    from chatdesk.core.providers.manager import ProviderManager
    from chatdesk.core.providers.profile_file import FILE_NAME as PROFILES_FILE
    from chatdesk.core.secrets import KeyStore

    return ProviderManager(
        paths.config_dir / PROFILES_FILE,
        providers,
        keys=keys or KeyStore(),
        environ=os.environ if environ is None else environ,
        on_change=lambda: bus.publish(ProvidersChanged()),
    )


def build_core(config: Configuration) -> Core:
    """Open (and if needed migrate) the database and wire the services to it: what the process
    shares is made here once (the reading child's supervisor and the keyring, `Shared`; the
    render worker, on first use) and handed to each service that uses it."""
    from chatdesk.core.assembly import Shared, assemble
    from chatdesk.core.attach.worker import Reader
    from chatdesk.core.chat.events import EventBus
    from chatdesk.core.providers.base import Providers
    from chatdesk.core.providers.mock import MockProvider
    from chatdesk.core.search import Search
    from chatdesk.core.secrets import KeyStore
    from chatdesk.core.store.backups import Backups
    from chatdesk.core.store.opening import open_checked
    from chatdesk.core.tools.tools_file import TOOLS_FILE, read_tools_file

    # A scheduled restore, then quick_check (integrity_check after an unclean exit); raises
    # DatabaseDamaged with the files set aside when the database is damaged.
    store, startup = open_checked(config.paths, config.settings)
    providers = Providers({"mock": MockProvider(config.settings.mock)})
    bus = EventBus()
    keys = KeyStore()  # the keyring is asked for nothing until a key is needed
    shared = Shared(Reader(), keys)  # the reading child starts with the first file
    profiles = build_profiles(config.paths, providers, bus, keys=keys)
    search = Search(store)
    paths = config.paths
    service = assemble(
        store,
        providers,
        config.settings,
        bus=bus,
        tools_dir=paths.config_dir,
        tools_file=read_tools_file(paths.config_dir / TOOLS_FILE),
        log_dir=paths.log_dir,
        shared=shared,
    )
    backups = Backups(store.path, config.paths.backups_dir)
    maintenance = _maintenance(config, store, backups, bus, service)
    sync_events, team = build_sync(config, store, bus, service.attachments.blobs, keys)
    # Everything imported and built so far lives until exit; moving it out of the collector's
    # reach keeps full collections (50-70 ms with SQLAlchemy loaded) from stalling the loop.
    gc.freeze()
    return Core(
        config,
        Insides(store, providers, shared),
        profiles,
        service,
        backups,
        search,
        maintenance,
        startup,
        sync_events,
        team,
    )


def key_store() -> KeyStore:
    """The keyring, for a command that saves a key without opening the core (`sync login`)."""
    from chatdesk.core.secrets import KeyStore

    return KeyStore()


@contextlib.contextmanager
def open_web(config: Configuration) -> Iterator[Web]:
    """The web's search and page reading for a command that opens no core (`chatdesk web`):
    the service a chat's web tools call, over the settings read, the keyring and a reading
    child's supervisor of its own (the child starts with the first page), closed on leaving."""
    from chatdesk.core.attach.worker import Reader
    from chatdesk.core.clock import SystemClock
    from chatdesk.core.web.service import Web

    reader = Reader()
    try:
        yield Web(lambda: config.settings.web, key_store(), reader, SystemClock())
    finally:
        reader.close()


def _maintenance(
    config: Configuration, store: Store, backups: Backups, bus: EventBus, service: ChatService
) -> Maintenance:
    """Daily backups and retention, the sweep of attachments no message uses, and the watch
    that turns the chats read-only when the data folder's disk is almost full."""
    from chatdesk.core.chat.events import SavingStateChanged
    from chatdesk.core.config import load_settings
    from chatdesk.core.maintenance import Maintenance
    from chatdesk.core.store.space_watch import SpaceWatch

    config_file = config.paths.config_file

    async def sweep() -> int:
        import asyncio

        current = await asyncio.to_thread(load_settings, config_file)
        return await service.attachments.sweep(current.settings.attachments.keep_unused_days)

    return Maintenance(
        store,
        backups,
        lambda: load_settings(config_file).settings.storage,
        announce=bus.publish,
        sweep=sweep,
        space=SpaceWatch(store, lambda blocked: bus.publish(SavingStateChanged(blocked))),
    )


def build_sync(
    config: Configuration,
    store: Store,
    bus: EventBus,
    blobs: BlobStore,
    keys: KeyStore | None = None,
) -> tuple[LoopPublisher, TeamSync]:
    """Team sync. Its engine records changes to shared threads and connects when a server is
    set up; it is made when the core starts, if a server is set up or a thread is already
    shared (psycopg and the keyring load only when it connects)."""
    from chatdesk.core.secrets import KeyStore
    from chatdesk.core.sync.base import LoopPublisher, any_shared
    from chatdesk.core.sync.service import TeamSync

    settings = config.settings.sync
    keys = keys or KeyStore()
    events = LoopPublisher(bus)

    def make_engine(shared: bool) -> SyncEngine:
        from chatdesk.core.sync.engine import SyncEngine
        from chatdesk.core.sync.setup import connector

        connect = connector(settings, keys)
        return SyncEngine(
            store,
            connect,
            blobs=blobs,
            shared=shared,
            publish_event=events,
            poll_seconds=settings.poll_seconds,
        )

    return events, TeamSync(make_engine, settings, keys, functools.partial(any_shared, store))


def run_window(
    start: Configuration | WindowStart, request: Request | None = None, where: str = ""
) -> int:
    """The window until it is closed. With `request` (what this start was asked: show the
    window, `--quick`, `--open`, `--tray`), it runs as its data folder's one chatdesk,
    listening at `where` (chatdesk/core/handover.py); when another start is that already, the
    request is handed to it and this returns."""
    from chatdesk.ui import font_setup
    from chatdesk.ui.qt_workarounds import import_pyside

    font_setup.begin()  # begun already by `chatdesk` without arguments (chatdesk.launch)
    import_pyside()
    from chatdesk.ui.application import run

    return run(start, build_core, request, where)
