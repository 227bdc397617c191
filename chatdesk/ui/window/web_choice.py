"""Whether the shown chat can search the web now: while its Web switch is on (it is turned on,
a chat with Web on is shown, a message is about to go out), the name of the engine's server is
looked up off the GUI thread, bounded (`chatdesk/core/web/online.py`), and the line under the
composer's text field says when it cannot be found: no network, or a SearXNG that is not
there. The message is still sent: the model answers without the web, and its search's card
says why. The switch itself follows the chat's tool servers (tool_choice.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chatdesk.ui.composer import Composer

if TYPE_CHECKING:
    from chatdesk.core.service import ChatService
    from chatdesk.core.web.addresses import Resolver
    from chatdesk.ui.runner import Runner


class WebChoice:
    def __init__(self, composer: Composer) -> None:
        self._composer = composer
        self._service: ChatService | None = None
        self._runner: Runner | None = None
        # Who answers for names: the system (None) unless a test hands its own.
        self.resolver: Resolver | None = None
        self._checking = False  # a look-up is under way
        self._again = False  # asked again meanwhile: the settings may have changed

    def attach(self, service: ChatService, runner: Runner) -> None:
        self._service, self._runner = service, runner

    @property
    def checking(self) -> bool:
        """A look-up is under way, or asked for again."""
        return self._checking or self._again

    def shown(self, on: bool) -> None:
        """The switch shows `on` for the chat now shown: checked when on."""
        if on:
            self.check()

    def check(self) -> None:
        """Look the engine up if Web is on; the notice says what stands in the way, or goes."""
        if self._service is None or self._runner is None or not self._composer.web.on:
            return
        if self._checking:
            self._again = True
            return
        self._checking = True
        call = self._service.tools.web_problem(self.resolver)  # as the web's tools will search
        self._runner.run(
            call, done=self._said, settled=self._settled, owner=self._composer, quiet=True
        )

    def _said(self, problem: str | None) -> None:
        if self._composer.web.on:  # switched off meanwhile: nothing to say
            self._composer.web.say(problem or "")

    def _settled(self) -> None:
        self._checking = False
        if self._again:
            self._again = False
            self.check()
