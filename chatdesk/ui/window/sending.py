"""The composer's Send and Stop: a message goes to the shown thread or makes the new chat; one
sent before the core is open waits, editable, and goes out as soon as the core is; files dropped
meanwhile are read then; with Research on, it is answered by a research run. Stop ends the shown
thread's answer while it is being written (a research run's searching first, then its report)."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QPushButton, QStatusBar

from chatdesk.core.errors import InvalidRequest
from chatdesk.core.i18n import mark, tr
from chatdesk.ui.composer import Composer, Pending

if TYPE_CHECKING:  # made after the window's first paint, as the core's views and events load
    import uuid

    from chatdesk.core.chat.events import Event
    from chatdesk.core.errors import ChatdeskError
    from chatdesk.core.service import ChatService
    from chatdesk.core.views import AttachmentInput, MessageView, ThreadView, Turn
    from chatdesk.ui.runner import Runner
    from chatdesk.ui.window.models import ModelChoice

WAITING_TEXT = mark("Opening your chats… your message will be sent as soon as they are open.")
RESEARCH_AND_COMPARE = mark(
    "Research and Compare are both on: a research run writes one report. Switch one of them "
    "off. Nothing was sent."
)


class Sending(QObject):
    def __init__(
        self,
        composer: Composer,
        status: QStatusBar,
        models: Callable[[], ModelChoice],
        shown: Callable[[], ThreadView | None],
        sent: Callable[[Turn], object],
        parent: QObject | None = None,
    ) -> None:
        """`models()` is the window's model choice (made after its first paint; Send asks for
        it only once the core is attached); `shown()` is the thread the window shows (None: the
        new chat); `sent(turn)` is told of each message that went out, after the composer was
        cleared."""
        super().__init__(parent)
        self._composer = composer
        self._status = status
        self._models = models
        self._shown = shown
        self._sent = sent
        self._service: ChatService | None = None
        self._runner: Runner | None = None
        self._waiting = False  # Send was pressed before the core was attached
        self._dropped: list[Path] = []  # files dropped before then
        self._live: dict[uuid.UUID, uuid.UUID] = {}  # thread -> its answer being written
        self._refused_stop: tuple[uuid.UUID, str] | None = None  # an answer, why Stop did not
        self.over_cap_button: QPushButton | None = None  # offered when a spending cap refused
        composer.send_requested.connect(self.send)
        composer.stop_requested.connect(self.stop)
        composer.files_dropped.connect(self.attach_files)
        composer.image_pasted.connect(self.attach_image)
        composer.pages_requested.connect(self.attach_pages)
        composer.resources_asked.connect(self.browse_resources)

    def attach(self, service: ChatService, runner: Runner) -> None:
        from chatdesk.ui.attachments.thumbnails import Thumbnails

        self._service, self._runner = service, runner
        self._composer.thumbnails = Thumbnails(service.attacher.blobs.folder, self._composer)
        runner.busy_changed.connect(self.update_busy)

    def begin(self) -> bool:
        """The core can take calls: read the files dropped and send the message that waited.
        False when none waited."""
        self.attach_files(self._dropped)
        self._dropped = []
        if not self._waiting:
            return False
        self._send_waited()
        return True

    # -- sending ---------------------------------------------------------------------------------

    def send(self, text: str, attachments: list[AttachmentInput]) -> None:
        if self._service is None or self._runner is None:
            self._waiting = True  # the text stays, editable, until begin()
            self.update_busy()
            self._status.showMessage(tr(WAITING_TEXT))
        else:
            self._over_cap_hide()
            self._models().web.check()  # with Web on: said now if the web cannot be searched
            call = self._call(self._service, text, attachments)
            self._runner.run(call, done=self._done, failure=self._refused)

    def send_alone(self, text: str, refused: Callable[[], object]) -> None:
        """Send `text` as a message of its own (a suggestion taken), as Send would, leaving
        what the composer holds as it is: the new chat's draft when the chat opens. `refused()`
        is called after a refusal is said."""
        if self._service is None or self._runner is None:
            return  # suggestions come with the core

        def failed(error: ChatdeskError) -> None:
            self._refused(error)
            refused()

        self._over_cap_hide()
        self._models().web.check()
        call = self._call(self._service, text, [])
        self._runner.run(call, done=self._sent, failure=failed)

    async def send_composed(self) -> Turn:
        """Send what the composer holds now, as Send does, and give the turn (a voice
        conversation's way to send): the composer is cleared once it went out; a refusal keeps
        it, is said as Send's is, and is raised."""
        from chatdesk.core.errors import ChatdeskError

        if self._service is None:
            raise RuntimeError("no core to send to yet")
        self._over_cap_hide()
        text, attachments = self._composer.text(), self._composer.attachments()
        try:
            turn = await self._call(self._service, text, attachments)
        except ChatdeskError as error:
            self._refused(error)
            raise
        self._done(turn)
        return turn

    def send_over_cap(self) -> None:
        """Send what the composer holds past a reached spending cap, this once."""
        if self._service is None or self._runner is None or not self._composer.can_send():
            return
        self._over_cap_hide()
        text, attachments = self._composer.text(), self._composer.attachments()
        call = self._call(self._service, text, attachments, over_cap=True)
        self._runner.run(call, done=self._done, failure=self._refused)

    def attach_files(self, paths: list[Path]) -> None:
        """Each file shows as a chip at once and is read in the reading child; one that cannot
        be attached goes from the strip, and the status bar says why."""
        if self._runner is None or self._service is None:
            self._dropped.extend(paths)  # read once the core can take calls (begin)
            return
        for path in paths:
            pending = self._composer.add_pending(path.name)
            self._attached(pending, self._service.attacher.attach_file(path))

    def attach_image(self, image: QImage) -> None:
        """Pixels pasted or dropped: encoded off the GUI thread, then read like a file."""
        if self._runner is None or self._service is None:
            self._status.showMessage(tr("Opening your chats… paste the image again in a moment."))
            return
        # translators: the name of an image pasted into the composer (its file name too)
        name = tr("Pasted image")
        pending = self._composer.add_pending(name)
        attacher, runner = self._service.attacher, self._runner

        async def attach() -> AttachmentInput:
            data, extension = await runner.off_thread(encode_pasted, image)
            return await attacher.attach_bytes(f"{name}.{extension}", data)

        self._attached(pending, attach())

    def attach_pages(self, scan: AttachmentInput) -> None:
        """A scanned PDF's pages drawn as images (in the reading child), after its chip."""
        if self._service is None:
            return
        # translators: the chip of a scanned PDF's pages while they are drawn as images
        pending = self._composer.add_pending(tr("{name}, pages", name=scan.name))
        self._attached(pending, self._service.attacher.pages_as_images(scan))

    def browse_resources(self) -> None:
        """Resource from a server…: the browser; the resource chosen is read like a file."""
        from chatdesk.ui.attachments.resource_browser import ResourceBrowser

        if self._service is None or self._runner is None:
            return
        service = self._service
        browser = ResourceBrowser(service.tools.resources, self._runner, self._composer)
        browser.chosen.connect(
            lambda server, uri, label: self._attached(
                self._composer.add_pending(label),
                service.tools.resources.attach(server, uri, label),
            )
        )
        # Chosen or not, the next keys go to the message again, not to the Attach button.
        browser.finished.connect(lambda _: self._composer.focus_editor())
        browser.open()  # not exec(): no nested event loop under qasync

    def _attached(
        self,
        pending: Pending,
        call: Coroutine[Any, Any, AttachmentInput | list[AttachmentInput]],
    ) -> None:
        """`pending`'s chip becomes what `call` made of the file (the pages of a scan: one
        chip each), or goes with the reason in the status bar."""
        assert self._runner is not None
        thread = self._shown()
        origin = thread.id if thread is not None else None  # where the file was given

        def failed(error: ChatdeskError) -> None:
            self._composer.settle(pending, None)
            self._status.showMessage(str(error), 15_000)

        def done(made: AttachmentInput | list[AttachmentInput]) -> None:
            items = made if isinstance(made, list) else [made]
            if not items:
                self._composer.settle(pending, None)
            elif self._composer.settle(pending, items[0]):
                for item in items[1:]:
                    self._composer.add_attachment(item)
            else:
                self._keep(origin, items)

        self._runner.run(call, done=done, failure=failed, quiet=True)

    def _keep(self, origin: uuid.UUID | None, items: list[AttachmentInput]) -> None:
        """A file finished reading after the composer's draft was replaced: it joins the draft
        of the chat it was given in (shown again, or stored), never dropped."""
        from chatdesk.core.views import DraftView
        from chatdesk.ui.window.drafts import store_draft

        assert self._service is not None
        assert self._runner is not None
        shown = self._shown()
        if (shown.id if shown is not None else None) == origin:
            for item in items:  # its chat is shown: kept with what is typed
                self._composer.add_attachment(item)
            return
        call = store_draft(self._service, origin, DraftView("", tuple(items)), merge=True)
        self._runner.run(call, quiet=True)
        self._status.showMessage(
            tr(
                "{name} is ready: it waits in the draft of the chat it was added to.",
                name=items[0].name,
            ),
            8_000,
        )

    def _refused(self, error: ChatdeskError) -> None:
        """The message stays in the composer; a model that does not take its images is
        answered by the model list, open to choose another; a reached spending cap, by "Send
        anyway" beside the status line."""
        from chatdesk.core.kinds import ChatErrorKind

        self._status.showMessage(str(error), 30_000)
        kind = getattr(error, "kind", None)
        if kind == ChatErrorKind.IMAGES_NOT_TAKEN:
            self._composer.open_models()
        elif kind == ChatErrorKind.CAP_REACHED:
            self._over_cap_offer()

    def _over_cap_offer(self) -> None:
        if self.over_cap_button is None:
            self.over_cap_button = QPushButton(tr("Send anyway"), self._status)
            self.over_cap_button.setObjectName("sendOverCap")
            self.over_cap_button.setAccessibleName(tr("Send anyway, past the spending cap"))
            self.over_cap_button.setToolTip(tr("Send this message once, past the spending cap"))
            self.over_cap_button.clicked.connect(self.send_over_cap)
            self._status.addPermanentWidget(self.over_cap_button)
        self.over_cap_button.show()

    def _over_cap_hide(self) -> None:
        if self.over_cap_button is not None:
            self.over_cap_button.hide()

    def update_busy(self) -> None:
        running = self._runner is not None and self._runner.busy
        self._composer.set_busy(running or self._waiting)

    def _call(
        self,
        service: ChatService,
        text: str,
        attachments: list[AttachmentInput],
        *,
        over_cap: bool = False,
    ) -> Coroutine[Any, Any, Turn]:
        from chatdesk.ui.window.compare_choice import TOO_FEW

        items = list(attachments)
        thread = self._shown()
        models = self._models()
        chosen = models.tools.new_chat_tools  # None: the project's
        if models.compare.too_few:  # not one model instead of the comparison asked for
            return _refusal(InvalidRequest(tr(TOO_FEW)))
        if self._composer.web.researching:
            return self._research(service, text, items, over_cap=over_cap)
        if compared := models.compare.models():
            return service.comparisons.send(
                thread.id if thread else None,
                text,
                compared,
                attachments=items,
                project_id=None if thread else models.new_chat_project,
                tools=None if thread or chosen is None else sorted(chosen),
                assistant_id=None if thread else models.assistants.new_chat_assistant,
                over_cap=over_cap,
                knowledge=() if thread else sorted(models.knowledge.new_chat_knowledge),
            )
        if thread is not None:
            return service.send(thread.id, text, attachments=items, over_cap=over_cap)
        provider, model = models.new_chat_model or (None, None)
        return service.send_new(
            text,
            project_id=models.new_chat_project,
            attachments=items,
            provider=provider,
            model=model,
            tools=None if chosen is None else sorted(chosen),
            over_cap=over_cap,
            assistant_id=models.assistants.new_chat_assistant,
            knowledge=sorted(models.knowledge.new_chat_knowledge),
            memory_off=models.memory.new_chat_off,
        )

    def _research(
        self,
        service: ChatService,
        text: str,
        items: list[AttachmentInput],
        *,
        over_cap: bool,
    ) -> Coroutine[Any, Any, Turn]:
        """The message answered by a research run, in the shown chat or a new one made as
        Send makes it; refused while Compare is on (one report, not several)."""
        models, thread = self._models(), self._shown()
        if models.compare.models():
            return _refusal(InvalidRequest(tr(RESEARCH_AND_COMPARE)))
        if thread is not None:
            return service.research.send(thread.id, text, attachments=items, over_cap=over_cap)
        chosen = models.tools.new_chat_tools
        provider, model = models.new_chat_model or (None, None)
        return service.research.send(
            None,
            text,
            attachments=items,
            project_id=models.new_chat_project,
            tools=None if chosen is None else sorted(chosen),
            assistant_id=models.assistants.new_chat_assistant,
            over_cap=over_cap,
            knowledge=sorted(models.knowledge.new_chat_knowledge),
            provider=provider,
            model=model,
        )

    def _send_waited(self) -> None:
        """Send what the composer holds now, as the user sees it. The new chat's saved draft
        was never shown (it would have gone out too), but sending clears it: put it back."""
        self._waiting = False
        self._status.clearMessage()
        self.update_busy()
        text, attachments = self._composer.text(), self._composer.attachments()
        if not text.strip() and not attachments:
            return
        service, runner = self._service, self._runner
        assert service is not None  # begin() comes after attach()
        assert runner is not None

        async def send() -> Turn:
            kept = await service.load_draft(None)
            turn = await self._call(service, text, attachments)
            if not kept.empty:
                await service.save_draft(None, kept)
            return turn

        runner.run(send(), done=self._done, failure=self._refused)

    def _done(self, turn: Turn) -> None:
        self._composer.clear_after_send()
        self._sent(turn)

    # -- answers being written -------------------------------------------------------------------

    def stop(self) -> None:
        """Stop the shown thread's answer, if one is being written."""
        thread = self._shown()
        answer = self._live.get(thread.id) if thread else None
        if answer is not None and self._service is not None and self._runner is not None:
            self._runner.run(self._service.stop(answer), failure=self._stop_refused(answer))

    def _stop_refused(self, answer: uuid.UUID) -> Callable[[ChatdeskError], None]:
        """Why Stop did nothing (another chatdesk process writes the answer), said until that
        answer ends: then it is no longer true."""

        def said(error: ChatdeskError) -> None:
            self._status.showMessage(str(error), 15_000)
            self._refused_stop = (answer, str(error))

        return said

    def stop_answer(self, answer_id: uuid.UUID) -> None:
        """Stop that answer, shown or not, if it is still being written (one written already
        stays as it is)."""
        if self._service is not None and self._runner is not None:
            self._runner.run(self._service.stop(answer_id), quiet=True)

    def apply(self, event: Event) -> None:
        """Follow which answers are being written."""
        from chatdesk.core.chat import events as ev

        match event:
            case ev.MessageAdded(message) | ev.AnswerContinued(message):
                self._seen(message)
            case ev.MessageFinished(message):
                if self._live.get(message.thread_id) == message.id:
                    del self._live[message.thread_id]
                self._unsay_refused_stop(message.id)
            case _:
                return
        self.show_streaming()

    def _unsay_refused_stop(self, ended: uuid.UUID) -> None:
        if self._refused_stop is not None and self._refused_stop[0] == ended:
            if self._status.currentMessage() == self._refused_stop[1]:
                self._status.clearMessage()
            self._refused_stop = None

    def _seen(self, message: MessageView) -> None:
        from chatdesk.core.kinds import Role

        if message.role is Role.ASSISTANT and not message.status.is_final:
            self._live[message.thread_id] = message.id

    def show_streaming(self) -> None:
        """The composer offers Stop while the shown thread's answer is being written."""
        thread = self._shown()
        self._composer.set_streaming(thread is not None and thread.id in self._live)


def encode_pasted(image: QImage) -> tuple[bytes, str]:
    """A pasted image as bytes for the reading child, which scales and re-encodes it: JPEG at
    high quality when it is opaque (a 24-megapixel PNG takes seconds to compress), PNG when it
    has transparency. Run on a worker thread: QImageWriter lets go of the GIL while it writes,
    where scaling or copying a QImage would hold it (tens of ms for a photo)."""
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice
    from PySide6.QtGui import QImageWriter

    alpha = image.hasAlphaChannel()
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QImageWriter(buffer, QByteArray(b"png" if alpha else b"jpeg"))
    writer.setQuality(80 if alpha else 85)  # PNG 80: zlib level 2, fast; JPEG 85: as kept
    if not writer.write(image):
        raise InvalidRequest(
            tr("the pasted image could not be read ({reason})", reason=writer.errorString())
        )
    return bytes(buffer.data().data()), "png" if alpha else "jpg"


async def _refusal(error: ChatdeskError) -> Turn:
    """A send refused before it reaches the service, as the service refuses one."""
    raise error
