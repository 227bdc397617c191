"""Voice: who turns speech into text and who reads answers aloud, and how (`[voice]`).

Each choice says plainly where the sound or the words go: this computer's own engine keeps
them here; a provider profile's server is named, with its host, as the one they are sent to.
The microphones and the voices this computer has are listed when the lists come (asked off
the GUI thread by the window: `set_microphones`, `set_voices`); until then, and for a name
not in them, the field keeps what the settings say. Each setting is in use as it changes, as
on the other sections. Choosing this computer's engine when its runtime is not installed
offers it, with its size, under the choice (extra_offer.py; decision 0074).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from chatdesk.core.extras import LOCAL_SPEECH
from chatdesk.core.i18n import mark, tr
from chatdesk.ui.settings.extra_offer import ExtraOffer
from chatdesk.ui.settings.notices import Tone
from chatdesk.ui.settings.sections import scroll_page

if TYPE_CHECKING:
    from chatdesk.core.extras import Extras
    from chatdesk.core.settings_outside import VoiceSettings
    from chatdesk.ui.runner import Runner

LOCAL, SYSTEM = "local", "system"  # this computer's engines, as `[voice]` names them

SENSITIVITY = (
    # translators: how readily a voice conversation takes a pause for the end of speech
    ("low", mark("Low: waits for a long pause")),
    # translators: how readily a voice conversation takes a pause for the end of speech
    ("medium", mark("Medium")),
    # translators: how readily a voice conversation takes a pause for the end of speech
    ("high", mark("High: a short pause is enough")),
)


class VoicePage(QWidget):
    def __init__(
        self,
        voice: VoiceSettings,
        servers: Sequence[tuple[str, str]],
        parent: QWidget | None = None,
    ) -> None:
        """`servers`: each provider profile as (its name, its base URL)."""
        super().__init__(parent)
        self._hosts = {name: urlsplit(url).hostname or url for name, url in servers}
        inner = QWidget(self)
        layout = QVBoxLayout(inner)
        layout.addWidget(self._dictation_box(voice))
        layout.addWidget(self._reading_box(voice))
        layout.addWidget(self._talk_box(voice))
        layout.addStretch(1)
        scroll_page(self, inner, "voiceScroll")
        self.stt.currentIndexChanged.connect(lambda _=0: self._say_where())
        self.stt.currentIndexChanged.connect(lambda _=0: self._offer_runtime())
        self.tts.currentIndexChanged.connect(lambda _=0: self._say_where())
        self._say_where()

    # -- the parts -------------------------------------------------------------------------------

    def _dictation_box(self, voice: VoiceSettings) -> QGroupBox:
        box = QGroupBox(tr("Speech to text"), self)
        self.stt = self._engines(voice.stt_provider, LOCAL, tr("This computer"), "voiceStt")
        self.stt.setAccessibleName(tr("Who turns your speech into text"))
        self.stt_where = _note(box, "voiceSttWhere")
        self.stt_offer = ExtraOffer(
            LOCAL_SPEECH, mark("Installed: speech to text on this computer is ready."), box
        )
        self.stt_model = QLineEdit(voice.stt_model, box)
        self.stt_model.setObjectName("voiceSttModel")
        self.stt_model.setAccessibleName(tr("Transcription model"))
        self.stt_model.setPlaceholderText(tr("The default one"))
        self.microphone = _named_choice(box, voice.input_device, "voiceMicrophone")
        self.microphone.setAccessibleName(tr("Microphone"))
        self.longest = QSpinBox(box)
        self.longest.setObjectName("voiceMaxSeconds")
        self.longest.setAccessibleName(tr("Longest recording, in seconds"))
        self.longest.setRange(5, 7_200)
        self.longest.setSingleStep(30)
        self.longest.setSuffix(tr(" s"))
        self.longest.setValue(voice.max_seconds)
        form = QFormLayout(box)
        form.addRow(
            tr("Transcri&bed by:"), _with_note(box, self.stt, self.stt_where, self.stt_offer)
        )
        form.addRow(tr("Transcription &model:"), self.stt_model)
        form.addRow(tr("M&icrophone:"), self.microphone)
        form.addRow(tr("Longest recordin&g:"), self.longest)
        return box

    def _talk_box(self, voice: VoiceSettings) -> QGroupBox:
        box = QGroupBox(tr("Voice conversation"), self)
        self.sensitivity = QComboBox(box)
        self.sensitivity.setObjectName("voiceSensitivity")
        self.sensitivity.setAccessibleName(tr("End of speech in a voice conversation"))
        for value, words in SENSITIVITY:
            self.sensitivity.addItem(tr(words), value)
        self.sensitivity.setCurrentIndex(max(0, self.sensitivity.findData(voice.sensitivity)))
        self.interrupt = QCheckBox(tr("Speaking interrupts the answer being read"), box)
        self.interrupt.setObjectName("voiceTalkInterrupt")
        self.interrupt.setChecked(voice.talk_interrupt)
        interrupt_note = _note(box, "voiceTalkInterruptNote")
        interrupt_note.setText(
            tr(
                "Use headphones, or a microphone that cancels echo: else the answer's own sound "
                "interrupts it. Esc always does."
            )
        )
        form = QFormLayout(box)
        form.addRow(tr("E&nd of speech:"), self.sensitivity)
        form.addRow(_with_note(box, self.interrupt, interrupt_note))
        return box

    def _reading_box(self, voice: VoiceSettings) -> QGroupBox:
        box = QGroupBox(tr("Reading aloud"), self)
        self.tts = self._engines(voice.tts, SYSTEM, tr("This computer's voices"), "voiceTts")
        self.tts.setAccessibleName(tr("Who reads answers aloud"))
        self.tts_where = _note(box, "voiceTtsWhere")
        self.voice = _named_choice(box, voice.tts_voice, "voiceVoice")
        self.voice.setAccessibleName(tr("Voice"))
        self.rate = QDoubleSpinBox(box)
        self.rate.setObjectName("voiceRate")
        self.rate.setAccessibleName(tr("Speed, 1 being normal"))
        self.rate.setRange(0.5, 2.0)
        self.rate.setSingleStep(0.1)
        self.rate.setDecimals(1)
        self.rate.setSuffix("×")
        self.rate.setValue(voice.tts_rate)
        self.volume = QSpinBox(box)
        self.volume.setObjectName("voiceVolume")
        self.volume.setAccessibleName(tr("Volume, in percent"))
        self.volume.setRange(0, 100)
        self.volume.setSingleStep(10)
        self.volume.setSuffix(tr(" %"))
        self.volume.setValue(round(voice.tts_volume * 100))
        self.read_code = QCheckBox(tr("Read &code blocks aloud (off: only say which language)"))
        self.read_code.setObjectName("voiceReadCode")
        self.read_code.setChecked(voice.read_code)
        form = QFormLayout(box)
        form.addRow(tr("&Read by:"), _with_note(box, self.tts, self.tts_where))
        form.addRow(tr("&Voice:"), self.voice)
        form.addRow(tr("Sp&eed:"), self.rate)
        form.addRow(tr("Vo&lume:"), self.volume)
        form.addRow(self.read_code)
        return box

    def _engines(self, chosen: str, own: str, own_words: str, name: str) -> QComboBox:
        """This computer's engine (`own`), then each provider profile; a profile that is gone
        stays listed under its name, so nothing changes until the user chooses."""
        combo = QComboBox(self)
        combo.setObjectName(name)
        combo.addItem(own_words, own)
        for profile in self._hosts:
            combo.addItem(profile, profile)
        if combo.findData(chosen) < 0:
            combo.addItem(tr("{name} (not set up)", name=chosen), chosen)
        combo.setCurrentIndex(combo.findData(chosen))
        return combo

    def _say_where(self) -> None:
        stt, tts = self.stt.currentData(), self.tts.currentData()
        if stt == LOCAL:
            self.stt_where.setText(tr("Your recordings stay on this computer."))
        else:
            self.stt_where.setText(
                tr("Your recordings are sent to {host} ({name}).", **self._server(stt))
            )
        if tts == SYSTEM:
            self.tts_where.setText(tr("Answers are read on this computer; nothing is sent."))
        else:
            self.tts_where.setText(
                tr(
                    "The answers' words are sent to {host} ({name}) to be read.",
                    **self._server(tts),
                )
            )

    def _offer_runtime(self) -> None:
        if self.stt.currentData() == LOCAL:
            self.stt_offer.check()
        else:
            self.stt_offer.withdraw()

    def offer_runtime(self, runner: Runner, runtimes: Callable[[], Extras]) -> None:
        """Let the page offer the local engine's runtime, through the window's `runner`; it
        looks at once when the local engine is the one chosen."""
        self.stt_offer.attach(runner, runtimes)
        self._offer_runtime()

    def _server(self, name: str) -> dict[str, str]:
        return {"name": name, "host": self._hosts.get(name, name)}

    # -- lists that come later -------------------------------------------------------------------

    def set_microphones(self, names: Sequence[str]) -> None:
        _fill(self.microphone, names)

    def set_voices(self, names: Sequence[str]) -> None:
        _fill(self.voice, names)

    # -- the settings ----------------------------------------------------------------------------

    def controls(self) -> list[QWidget]:
        return [
            self.stt,
            self.stt_model,
            self.microphone,
            self.longest,
            self.tts,
            self.voice,
            self.rate,
            self.volume,
            self.read_code,
            self.sensitivity,
            self.interrupt,
        ]

    def voice_settings(self, base: VoiceSettings) -> VoiceSettings:
        return replace(
            base,
            stt_provider=self.stt.currentData(),
            stt_model=self.stt_model.text().strip(),
            input_device=_chosen_name(self.microphone),
            max_seconds=self.longest.value(),
            sensitivity=self.sensitivity.currentData(),
            tts=self.tts.currentData(),
            tts_voice=_chosen_name(self.voice),
            tts_rate=round(self.rate.value(), 1),
            tts_volume=self.volume.value() / 100,
            read_code=self.read_code.isChecked(),
            talk_interrupt=self.interrupt.isChecked(),
        )


def _note(parent: QWidget, name: str) -> QLabel:
    label = QLabel(parent)
    label.setObjectName(name)
    label.setProperty("tone", Tone.INFO.value)
    label.setWordWrap(True)
    return label


def _with_note(parent: QWidget, field: QWidget, *notes: QWidget) -> QWidget:
    """`field` with what is said of it right under it, as one field of a form."""
    both = QWidget(parent)
    column = QVBoxLayout(both)
    column.setContentsMargins(0, 0, 0, 0)
    column.setSpacing(2)
    column.addWidget(field)
    for note in notes:
        column.addWidget(note)
    return both


def _named_choice(parent: QWidget, chosen: str, name: str) -> QComboBox:
    """A list of names led by "Default" (the empty name), holding `chosen` until the list
    comes; the user may type a name the list does not have."""
    combo = QComboBox(parent)
    combo.setObjectName(name)
    combo.setEditable(True)
    combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
    combo.addItem(tr("Default"), "")
    if chosen:
        combo.addItem(chosen, chosen)
    combo.setCurrentIndex(combo.findData(chosen))
    return combo


def _fill(combo: QComboBox, names: Sequence[str]) -> None:
    chosen = _chosen_name(combo)
    combo.blockSignals(True)  # the setting does not change because its list came
    try:
        while combo.count() > 1:
            combo.removeItem(1)
        for name in dict.fromkeys((*names, chosen) if chosen else names):
            combo.addItem(name, name)
        combo.setCurrentIndex(max(0, combo.findData(chosen)))
    finally:
        combo.blockSignals(False)


def _chosen_name(combo: QComboBox) -> str:
    """The name chosen or typed; "" for the default."""
    text = combo.currentText().strip()
    if combo.currentIndex() >= 0 and combo.itemText(combo.currentIndex()) == text:
        return str(combo.currentData() or "")
    return "" if text == tr("Default") else text
