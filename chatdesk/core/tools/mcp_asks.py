"""What one MCP server sends besides results: its questions to the user (elicitation), the
progress of a call, and its log messages.

A question is put to the `Asker` (`questions.py`) of the call it arose in. On the 2026-07-28
protocol it comes inside the call's own result, so the call (`CALLER`) is known where it is
handled; on older ones it comes as a request of its own, and the call is the one of that server
that runs now (with several running and none known, the question is declined rather than put
under the wrong one). The asker is called on the loop that made the call (the window's, the
terminal's), not on the tools loop. A URL question whose step the server says was finished on
its page (`completed`, before the 2026-07-28 protocol) is withdrawn from the person, and the
server told it was accepted. A call's progress goes to the function its `Caller` gives (the
chat coalesces it into events); log messages go to the server's log file, a line each.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import dataclasses
import json
import logging
import re
import time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, TextIO

from chatdesk.core.i18n import tr
from chatdesk.core.tools.model import CALLER, Caller
from chatdesk.core.tools.questions import (
    CANCEL,
    DECLINE,
    Action,
    Answer,
    Asker,
    Question,
    form_of,
    problems,
)

if TYPE_CHECKING:
    from mcp.client.context import ClientRequestContext
    from mcp.shared.dispatcher import ProgressFnT
    from mcp_types import ElicitRequestParams, ElicitResult, LoggingMessageNotificationParams

log = logging.getLogger("chatdesk.tools")
LOG_LEVEL = "info"  # the least a server's log message must be to be asked for and kept
MAX_LOG_LINE = 4_000  # characters of one log message kept
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@dataclasses.dataclass(eq=False)
class _Running:
    caller: Caller | None
    loop: asyncio.AbstractEventLoop


class ServerAsks:
    def __init__(self, server: str, asker: Callable[[], Asker | None]) -> None:
        self._server = server
        self._asker = asker
        self._running: list[_Running] = []  # changed on the callers' loops, read on the tools loop
        # URL questions shown, by the server's id of their step (on the tools loop), and those
        # the server said were finished outside chatdesk (`completed`).
        self._shown: dict[str, concurrent.futures.Future[Answer]] = {}
        self._finished: set[str] = set()
        self._log: TextIO | None = None

    def callbacks(self, log_file: TextIO) -> dict[str, Any]:
        """The SDK client's callbacks for one session, whose log messages go to `log_file`."""
        self._log = log_file
        return {
            "elicitation_callback": self.elicit,
            "logging_callback": self.logged,
            "log_level": LOG_LEVEL,
        }

    @contextlib.contextmanager
    def running(self) -> Iterator[None]:
        """A call of this server runs (entered on the caller's loop)."""
        running = _Running(CALLER.get(), asyncio.get_running_loop())
        self._running.append(running)
        try:
            yield
        finally:
            self._running.remove(running)

    def progress(self, caller: Caller | None) -> ProgressFnT | None:
        """What a call's progress is given to (None: no one follows it)."""
        if caller is None or caller.progressed is None:
            return None
        progressed = caller.progressed

        async def moved(progress: float, total: float | None, message: str | None) -> None:
            progressed(progress, total, message)

        return moved

    # -- on the tools loop -----------------------------------------------------------------------

    async def elicit(
        self, context: ClientRequestContext, params: ElicitRequestParams
    ) -> ElicitResult:
        from mcp_types import ElicitResult

        answer = await self._answer(params)
        if answer.action is not Action.ACCEPT or params.mode == "url":
            return ElicitResult(action=answer.action.value)
        # The values picked of a list go as a JSON array.
        content: dict[str, str | int | float | bool | list[str] | None] = {
            k: list(v) if isinstance(v, tuple) else v for k, v in answer.values.items()
        }
        return ElicitResult(action="accept", content=content)

    async def _answer(self, params: ElicitRequestParams) -> Answer:
        running = self._running_for(CALLER.get())
        asker = self._asker()
        if running is None or asker is None:
            why = "no call of it runs now" if running is None else "no one is there to ask"
            log.info("a question from %s was declined: %s", self._server, why)
            return DECLINE
        caller = running.caller
        question = Question(
            server=self._server,
            message=params.message,
            thread_id=caller.thread_id if caller else None,
            message_id=caller.message_id if caller else None,
            call_id=caller.call_id if caller else "",
        )
        if params.mode == "url":
            question = dataclasses.replace(question, url=params.url)
        else:
            fields = form_of(params.requested_schema)
            if isinstance(fields, str):
                log.info("a question from %s was declined: %s", self._server, fields)
                return DECLINE
            question = dataclasses.replace(question, fields=fields)
        asked = asyncio.run_coroutine_threadsafe(_asked(asker, question), running.loop)
        step = (getattr(params, "elicitation_id", None) or "") if params.mode == "url" else ""
        if step:
            self._shown[step] = asked
        try:
            return await asyncio.wrap_future(asked)
        except asyncio.CancelledError:
            if step and step in self._finished:
                return Answer(Action.ACCEPT)  # done on the web page: the question is withdrawn
            raise
        except Exception:
            log.exception("asking the question of %s failed", self._server)
            return CANCEL
        finally:
            if step:
                self._shown.pop(step, None)
                self._finished.discard(step)

    def completed(self, step: str) -> None:
        """The server says the step of a URL question was finished outside chatdesk
        (`notifications/elicitation/complete`): a question of it still shown is withdrawn."""
        asked = self._shown.get(step)
        if asked is None:
            return
        log.info("%s says the step of its question was finished on its page", self._server)
        self._finished.add(step)
        asked.cancel()  # the person's asker is cancelled on its loop: the question goes

    def _running_for(self, caller: Caller | None) -> _Running | None:
        running = list(self._running)
        for one in running:
            if caller is not None and one.caller == caller:
                return one
        return running[0] if len(running) == 1 else None

    async def logged(self, params: LoggingMessageNotificationParams) -> None:
        stream = self._log
        if stream is None or stream.closed:
            return
        data = params.data
        if not isinstance(data, str):
            data = json.dumps(data, ensure_ascii=False, default=str)
        said = _CONTROL.sub(" ", data[:MAX_LOG_LINE])
        logger = _CONTROL.sub(" ", (params.logger or "-")[:200])
        stamp = time.strftime("%Y-%m-%d %H:%M:%S")
        stream.write(f"{stamp} [{params.level}] {logger}: {said}\n")
        stream.flush()


async def _asked(asker: Asker, question: Question) -> Answer:
    """The person's answer, asked again with the reason while it does not fit the question
    (on the loop that made the call)."""
    while True:
        answer = await asker.ask(question)
        if answer.action is not Action.ACCEPT or question.url is not None:
            return answer
        wrong = problems(question.fields, answer.values)
        if not wrong:
            return answer
        reasons = "; ".join(f"{name}: {why}" for name, why in wrong.items())
        question = dataclasses.replace(
            question, refused=tr("The answer was not sent: {reasons}", reasons=reasons)
        )
