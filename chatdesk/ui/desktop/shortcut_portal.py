"""The global shortcut on Wayland: the desktop portal's GlobalShortcuts interface
(`org.freedesktop.portal.GlobalShortcuts`), over the session bus through jeepney on chatdesk's
asyncio loop, which runs on the GUI thread (the choice is noted in docs/decisions/).

The desktop, not chatdesk, holds the keys: chatdesk asks for one shortcut, "quick-ask", with its
keys as a preferred trigger; the desktop binds it (often after asking the user in a dialog of
its own, who may choose other keys or none) and says which keys it bound. Each new request is a
new session (the portal binds a session's shortcuts once); the session is closed when the keys
change, are switched off, or chatdesk quits. What came of a request is told later, through
`told` (the keys as the desktop describes them, a refusal, or no portal at all)."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import os
import secrets
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtGui import QGuiApplication

from chatdesk.core.i18n import tr
from chatdesk.core.login_item import APP_ID
from chatdesk.ui.desktop.keys import Keys, portal_trigger
from chatdesk.ui.desktop.session_bus import SessionBus

if TYPE_CHECKING:
    from jeepney import MatchRule
    from jeepney.io.asyncio import DBusRouter

log = logging.getLogger(__name__)

PORTAL = "org.freedesktop.portal.Desktop"
PATH = "/org/freedesktop/portal/desktop"
INTERFACE = "org.freedesktop.portal.GlobalShortcuts"
REQUEST = "org.freedesktop.portal.Request"
SESSION = "org.freedesktop.portal.Session"
REGISTRY = "org.freedesktop.host.portal.Registry"
SHORTCUT_ID = "quick-ask"  # stable: the desktop keeps the user's keys under it
QUIT_WAIT = 2.0  # seconds quitting waits at most for the portal to close the session

# told(kind, words): "bound" with the keys as the desktop names them ("" none yet), "refused"
# with the reason in words the user reads, "none" when this desktop offers no shortcuts
Told = Callable[[str, str], None]


class PortalError(Exception):
    """The portal answered a call with an error (its D-Bus error name and message)."""


class PortalShortcut:
    """One shortcut held by the desktop through its portal, asked for again with each new keys.
    `pressed` is called on the GUI thread (chatdesk's loop) when the desktop says the keys were
    pressed."""

    answers_later = True  # grab() asks; `told` says what came of it

    def __init__(self, pressed: Callable[[], object], told: Told) -> None:
        self._pressed = pressed
        self._told = told
        self._bus = SessionBus(_rules, self._signal)
        self._asking: asyncio.Task[None] | None = None
        self._closing: set[asyncio.Task[None]] = set()
        self._responses: dict[str, asyncio.Future[tuple[int, dict[str, Any]]]] = {}  # by path
        self._session: str | None = None
        self._tokens = itertools.count(1)
        self._prefix = f"chatdesk_{secrets.token_hex(4)}"
        self.version = 0  # the portal's GlobalShortcuts version, once asked

    def grab(self, keys: Keys) -> None:
        """Ask the desktop for `keys` in a new session (the one before is closed)."""
        self.release()
        self._asking = asyncio.ensure_future(self._bind(keys))

    def release(self) -> None:
        """No shortcut: the request under way is dropped and the session closed."""
        if self._asking is not None:
            self._asking.cancel()
            self._asking = None
        session, self._session = self._session, None
        if session is not None:
            task = asyncio.ensure_future(self._close_session(session))
            self._closing.add(task)
            task.add_done_callback(self._closing.discard)

    def close(self) -> None:
        """chatdesk quits: the session closed, then the bus connection (`aclose` awaits it)."""
        self.release()
        closing = tuple(self._closing)

        async def end() -> None:
            with contextlib.suppress(Exception):
                await asyncio.gather(*closing)
            self._bus.close()

        task = asyncio.ensure_future(end())
        self._closing.add(task)

    async def aclose(self) -> None:
        """Until the session is closed and the connection ended, or a portal that does not
        answer is given up on (quitting does not wait for it)."""
        if self._closing:
            await asyncio.wait(tuple(self._closing), timeout=QUIT_WAIT)

    # -- asking ----------------------------------------------------------------------------------

    async def _bind(self, keys: Keys) -> None:
        try:
            router = await self._bus.connected()
            if self.version == 0:  # first on the connection: before anything else is asked
                await self._register(router)
            self.version = await self._version(router)
        except (OSError, KeyError, ValueError, PortalError) as error:  # no bus, or no such portal
            log.info("no global shortcut through the desktop portal: %s", error)
            self._told("none", "")
            return
        try:
            session = await self._create_session(router)
            bound = await self._bind_shortcut(router, session, keys)
        except (OSError, KeyError, ValueError, PortalError) as error:  # it failed: a no
            log.warning("the desktop portal failed to bind the global shortcut: %s", error)
            self._told("refused", _Refused(2).words())
        except _Refused as refused:
            log.info("the desktop portal refused the global shortcut (response %s)", refused.code)
            self._told("refused", refused.words())
        else:
            self._told("bound", bound)

    async def _version(self, router: DBusRouter) -> int:
        from jeepney import DBusAddress, Properties

        portal = DBusAddress(PATH, bus_name=PORTAL, interface=INTERFACE)
        reply = await self._call(router, Properties(portal).get("version"))
        return int(reply[0][1])

    async def _create_session(self, router: DBusRouter) -> str:
        from jeepney import DBusAddress, new_method_call

        portal = DBusAddress(PATH, bus_name=PORTAL, interface=INTERFACE)
        token = f"{self._prefix}_{next(self._tokens)}"
        options = {"session_handle_token": ("s", token)}
        # known before the portal answers, so that a release meanwhile closes it
        self._session = f"{PATH}/session/{_path_part(router)}/{token}"
        results = await self._request(
            router,
            lambda handle: new_method_call(portal, "CreateSession", "a{sv}", (handle,)),
            options,
        )
        self._session = str(results["session_handle"][1])
        return self._session

    async def _bind_shortcut(self, router: DBusRouter, session: str, keys: Keys) -> str:
        """The keys the desktop bound to the shortcut, as it describes them ("": none yet)."""
        from jeepney import DBusAddress, new_method_call

        asked: dict[str, tuple[str, str]] = {
            "description": ("s", tr("Open chatdesk's quick window (Quick ask)"))
        }
        trigger = portal_trigger(keys)
        if trigger is not None:
            asked["preferred_trigger"] = ("s", trigger)
        portal = DBusAddress(PATH, bus_name=PORTAL, interface=INTERFACE)

        def call(options: dict[str, Any]) -> Any:
            body = (session, [(SHORTCUT_ID, asked)], "", options)
            return new_method_call(portal, "BindShortcuts", "oa(sa{sv})sa{sv}", body)

        results = await self._request(router, call, {})
        bound = _trigger_of(results.get("shortcuts", ("", []))[1])
        if bound is None:  # the user left it out in the desktop's dialog
            raise _Refused(1)
        return bound

    async def _register(self, router: DBusRouter) -> None:
        """Newer portals learn a program's id (its desktop entry) from the program itself, once
        and before anything else is asked on the connection; the others do not know this
        interface, and a desktop without chatdesk's desktop entry refuses it: both are fine."""
        from jeepney import DBusAddress, new_method_call

        registry = DBusAddress(PATH, bus_name=PORTAL, interface=REGISTRY)
        with contextlib.suppress(PortalError):
            await self._call(router, new_method_call(registry, "Register", "sa{sv}", (APP_ID, {})))

    async def _request(
        self, router: DBusRouter, call: Callable[[dict[str, Any]], Any], options: dict[str, Any]
    ) -> dict[str, Any]:
        """Call a portal method that answers through a Request object's Response signal, the
        path of which is known (and listened for) before the call."""
        token = f"{self._prefix}_{next(self._tokens)}"
        path = f"{PATH}/request/{_path_part(router)}/{token}"
        answer: asyncio.Future[tuple[int, dict[str, Any]]]
        answer = asyncio.get_running_loop().create_future()
        self._responses[path] = answer
        try:
            await self._call(router, call({**options, "handle_token": ("s", token)}))
            code, results = await answer
        finally:
            self._responses.pop(path, None)
        if code != 0:
            raise _Refused(code)
        return results

    async def _call(self, router: DBusRouter, message: Any) -> Any:
        from jeepney import MessageType

        reply = await router.send_and_get_reply(message)
        if reply.header.message_type is MessageType.error:
            from jeepney import HeaderFields

            name = reply.header.fields.get(HeaderFields.error_name, "")
            raise PortalError(f"{name}: {reply.body[0] if reply.body else ''}")
        return reply.body

    async def _close_session(self, session: str) -> None:
        from jeepney import DBusAddress, new_method_call

        with contextlib.suppress(Exception):
            router = await self._bus.connected()
            closing = DBusAddress(session, bus_name=PORTAL, interface=SESSION)
            await self._call(router, new_method_call(closing, "Close"))
            log.info("closed the global shortcut's portal session")

    # -- listening -------------------------------------------------------------------------------

    def _signal(self, message: Any) -> None:
        from jeepney import HeaderFields

        fields, body = message.header.fields, message.body
        member, path = fields.get(HeaderFields.member), fields.get(HeaderFields.path)
        if member == "Response" and path in self._responses:
            answer = self._responses[path]
            if not answer.done():
                answer.set_result((int(body[0]), dict(body[1])))
        elif fields.get(HeaderFields.interface) != INTERFACE or body[0] != self._session:
            return  # another program's session, or one closed since
        elif member == "Activated" and body[1] == SHORTCUT_ID:
            _may_activate(body[3])
            self._pressed()
        elif member == "ShortcutsChanged":  # the user gave it other keys in the desktop
            bound = _trigger_of(body[1])
            if bound is not None:
                self._told("bound", bound)


def _rules() -> list[MatchRule]:
    """The portal's answers (Response) and the shortcut's presses."""
    from jeepney import MatchRule

    return [
        MatchRule(type="signal", interface=REQUEST, member="Response"),
        MatchRule(type="signal", sender=PORTAL, interface=INTERFACE, path=PATH),
    ]


def _path_part(router: DBusRouter) -> str:
    """chatdesk's name on the bus as the portal writes it in its objects' paths."""
    return (router.unique_name or "").lstrip(":").replace(".", "_")


def _may_activate(options: dict[str, Any]) -> None:
    """Newer portals hand over the desktop's leave to take the focus (an xdg-activation token)
    with the press: Qt on Wayland spends it on the next window activated, the quick window."""
    token = options.get("activation_token", ("s", ""))[1]
    if token and QGuiApplication.platformName().startswith("wayland"):
        os.environ["XDG_ACTIVATION_TOKEN"] = str(token)


def _trigger_of(shortcuts: list[tuple[str, dict[str, Any]]]) -> str | None:
    """The keys of chatdesk's shortcut among `shortcuts`, as the desktop describes them ("":
    none yet); None when it is not among them."""
    for shortcut_id, properties in shortcuts:
        if shortcut_id == SHORTCUT_ID:
            return str(properties.get("trigger_description", ("s", ""))[1])
    return None


class _Refused(Exception):
    """The desktop answered no: 1, the user cancelled its dialog; 2, it refused otherwise."""

    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code

    def words(self) -> str:
        if self.code == 1:
            return tr("The desktop's dialog was cancelled: chatdesk has no shortcut.")
        return tr("The desktop refused chatdesk a shortcut.")
