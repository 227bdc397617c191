"""The service the conversation's parts call: the saved chats' one, or while a temporary chat is
shown, the temporary chats' one (chatdesk/core/temporary.py). The parts hold the switch as their
service and look each call up when they make it, so a switch made between two calls sends the
next one to the other service; the sidebar, the settings, search and export hold the saved one.

Who follows the events through the switch hears both services' while a temporary chat exists
(each event names its thread, which the parts match against the one shown)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from chatdesk.core.chat.events import EventBus

if TYPE_CHECKING:
    from chatdesk.core.chat.events import Event
    from chatdesk.core.service import ChatService

    # To the type checker the switch is a ChatService: a part calls through it only what a
    # ChatService has, with its types. At run time each attribute is looked up on the service in
    # use when it is read (ServiceSwitch.__getattr__).
    _Forwarding = ChatService
else:
    _Forwarding = object

Handler = Callable[["Event"], None]


class SwitchedEvents(EventBus):
    """Subscriptions to the saved service's events, and to the temporary one's while it is
    used."""

    def __init__(self, saved: EventBus) -> None:
        super().__init__()
        self._saved = saved
        self._temporary: EventBus | None = None
        # Each handler, and how it stops hearing the temporary bus (None: it is not heard).
        self._heard: dict[Handler, Callable[[], None] | None] = {}

    def subscribe(self, handler: Handler) -> Callable[[], None]:
        saved_end = self._saved.subscribe(handler)
        bus = self._temporary
        self._heard[handler] = bus.subscribe(handler) if bus is not None else None

        def unsubscribe() -> None:
            saved_end()
            end = self._heard.pop(handler, None)
            if end is not None:
                end()

        return unsubscribe

    def follow(self, temporary: EventBus | None) -> None:
        """Hear `temporary`'s events too (None: no longer any temporary bus's)."""
        for handler, end in self._heard.items():
            if end is not None:
                end()
            self._heard[handler] = temporary.subscribe(handler) if temporary else None
        self._temporary = temporary

    def publish(self, event: Event) -> None:
        self._saved.publish(event)


class ServiceSwitch(_Forwarding):
    """Forwards every attribute to the service in use: the saved one, or the temporary one."""

    def __init__(self, saved: ChatService) -> None:  # the service's own is not called
        self.saved = saved
        self.current = saved
        self.events: SwitchedEvents = SwitchedEvents(saved.events)

    def use(self, service: ChatService | None) -> None:
        """Send the calls to `service`, a temporary chats' one (None: to the saved one)."""
        self.current = service or self.saved
        self.events.follow(service.events if service is not None else None)

    @property
    def temporary(self) -> bool:
        return self.current is not self.saved

    if not TYPE_CHECKING:  # hidden from the type checker: it would type every name as Any

        def __getattr__(self, name: str) -> Any:
            return getattr(self.current, name)

    def as_service(self) -> ChatService:
        """The switch where a part takes a service: it answers what a ChatService does."""
        return self
