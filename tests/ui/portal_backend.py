"""A desktop's GlobalShortcuts portal backend for the tests (`org.freedesktop.impl.portal.
GlobalShortcuts`, version 1), served with jeepney on the test's loop: what KDE's or GNOME's
portal backend does behind the xdg-desktop-portal frontend, with the user's choice in the
desktop's dialog made by the test (`choose`): the keys the desktop binds, or a refusal.

The frontend (`/usr/libexec/xdg-desktop-portal`, the Debian package xdg-desktop-portal) finds it
through a `.portal` file naming it for the desktop in XDG_CURRENT_DESKTOP (`portal_files`)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

BUS_NAME = "org.freedesktop.impl.portal.desktop.chatdesktest"
DESKTOP = "chatdesktest"  # the XDG_CURRENT_DESKTOP the frontend is started with
PATH = "/org/freedesktop/portal/desktop"
INTERFACE = "org.freedesktop.impl.portal.GlobalShortcuts"
SESSION = "org.freedesktop.impl.portal.Session"
PROPERTIES = "org.freedesktop.DBus.Properties"


def portal_files(folder: Path, interface: str = INTERFACE) -> Path:
    """A portals folder (XDG_DESKTOP_PORTAL_DIR) naming this backend for DESKTOP, as the
    implementation of `interface`."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{DESKTOP}.portal").write_text(
        f"[portal]\nDBusName={BUS_NAME}\nInterfaces={interface}\nUseIn={DESKTOP}\n",
        encoding="utf-8",
    )
    return folder


@dataclass
class ShortcutsBackend:
    """What the desktop does with an application's shortcuts. `trigger`: the keys the user
    gives the shortcut in the desktop's dialog (None: what the application preferred, in the
    desktop's words); `response`: 0 bound, 1 the user cancelled, 2 refused."""

    trigger: str | None = None
    response: int = 0
    calls: list[tuple[str, tuple[Any, ...]]] = field(default_factory=list)
    sessions: list[str] = field(default_factory=list)  # open sessions
    closed: list[str] = field(default_factory=list)  # sessions the frontend closed
    router: Any = None

    def asked(self, member: str) -> list[tuple[Any, ...]]:
        return [body for name, body in self.calls if name == member]

    async def serve(self, ready: asyncio.Future[None]) -> None:
        from jeepney import MatchRule, MessageType
        from jeepney.bus_messages import message_bus
        from jeepney.io.asyncio import open_dbus_router

        async with open_dbus_router() as router:
            self.router = router
            await router.send_and_get_reply(message_bus.RequestName(BUS_NAME))
            with router.filter(MatchRule(type="method_call"), bufsize=64) as calls:
                ready.set_result(None)
                while True:
                    call = await calls.get()
                    if call.header.message_type is MessageType.method_call:
                        await router.send(self._answer(call))

    def _answer(self, call: Any) -> Any:
        from jeepney import HeaderFields, new_error, new_method_return

        fields = call.header.fields
        member, path = fields[HeaderFields.member], fields[HeaderFields.path]
        interface = fields.get(HeaderFields.interface)
        self.calls.append((member, call.body))
        if interface == SESSION and member == "Close":
            self.closed.append(path)
            if path in self.sessions:
                self.sessions.remove(path)
            return new_method_return(call)
        if interface == PROPERTIES and member == "Get":
            return new_method_return(call, "v", (("u", 1),))
        if interface == PROPERTIES and member == "GetAll":
            return new_method_return(call, "a{sv}", ({"version": ("u", 1)},))
        if member == "CreateSession":
            self.sessions.append(call.body[1])
            return new_method_return(call, "ua{sv}", (0, {}))
        if member == "BindShortcuts":
            return new_method_return(call, "ua{sv}", self._bound(call.body[2]))
        if member == "ListShortcuts":
            return new_method_return(call, "ua{sv}", (0, {"shortcuts": ("a(sa{sv})", [])}))
        return new_error(call, "org.freedesktop.DBus.Error.UnknownMethod", "s", (member,))

    def _bound(self, shortcuts: list[tuple[str, dict[str, Any]]]) -> tuple[int, dict[str, Any]]:
        if self.response:
            return self.response, {}
        bound = []
        for shortcut_id, asked in shortcuts:
            trigger = self.trigger
            if trigger is None:
                trigger = asked.get("preferred_trigger", ("s", ""))[1].replace("+", " + ")
            bound.append(
                (
                    shortcut_id,
                    {"description": asked["description"], "trigger_description": ("s", trigger)},
                )
            )
        return 0, {"shortcuts": ("a(sa{sv})", bound)}

    async def press(self, shortcut_id: str = "quick-ask", token: str = "") -> None:
        """The user presses the keys the desktop bound to `shortcut_id` (`token`: the leave to
        take the focus that newer desktops hand over with it)."""
        from jeepney import DBusAddress, new_signal

        emitter = DBusAddress(PATH, interface=INTERFACE)
        options = {"activation_token": ("s", token)} if token else {}
        for session in self.sessions:
            body: tuple[Any, ...] = (session, shortcut_id, 1234, options)
            await self.router.send(new_signal(emitter, "Activated", "osta{sv}", body))

    async def change(self, trigger: str, shortcut_id: str = "quick-ask") -> None:
        """The user gives the shortcut other keys in the desktop's settings."""
        from jeepney import DBusAddress, new_signal

        emitter = DBusAddress(PATH, interface=INTERFACE)
        shortcut = (shortcut_id, {"trigger_description": ("s", trigger)})
        for session in self.sessions:
            signal = new_signal(emitter, "ShortcutsChanged", "oa(sa{sv})", (session, [shortcut]))
            await self.router.send(signal)
