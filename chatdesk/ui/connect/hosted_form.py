"""A hosted provider's form: where to get a key (its address as text, a link only a click
follows), the key, for Azure OpenAI its resource and deployment, then the check of the key and
the model to start with."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from chatdesk.core.i18n import tr
from chatdesk.core.providers.catalogue import CatalogueEntry
from chatdesk.core.providers.profiles import ProviderProfile
from chatdesk.ui.settings.notices import Notice, Tone


class HostedForm(QWidget):
    check_requested = Signal()
    connect_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.entry: CatalogueEntry | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.heading = QLabel(self)
        self.heading.setObjectName("connectSection")
        self.key_page = QLabel(self)
        self.key_page.setObjectName("keyPage")
        self.key_page.setWordWrap(True)
        self.key_page.setTextFormat(Qt.TextFormat.RichText)
        self.key_page.setOpenExternalLinks(True)  # opened by a click only
        self.key_page.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
        self.resource = self._line("azureResource", tr("Azure resource name"), "my-resource")
        self.deployment = self._line("azureDeployment", tr("Deployment name"), "gpt-4o-mini")
        self.key = self._line("apiKey", tr("API key"), "")
        self.key.setEchoMode(QLineEdit.EchoMode.Password)
        self.models = QComboBox(self)
        self.models.setObjectName("hostedModels")
        self.models.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.models.setAccessibleName(tr("Model to start with"))
        self.models.setEnabled(False)
        self.fields = QFormLayout()
        self.fields.addRow(tr("&Resource:"), self.resource)
        self.fields.addRow(tr("&Deployment:"), self.deployment)
        self.fields.addRow(tr("API &key:"), self.key)
        self.fields.addRow(tr("&Model:"), self.models)
        self.check = QPushButton(tr("C&heck the key"), self)
        self.check.setObjectName("checkKey")
        self.check.clicked.connect(self.check_requested)
        self.connect_ = QPushButton(tr("&Connect"), self)
        self.connect_.setObjectName("connectHosted")
        self.connect_.setEnabled(False)
        self.connect_.clicked.connect(self.connect_requested)
        self.status = Notice("connectStatus", self)
        # Its fields and buttons, shown once a provider is chosen.
        self.body = QWidget(self)
        inside = QVBoxLayout(self.body)
        inside.setContentsMargins(0, 0, 0, 0)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.check)
        buttons.addWidget(self.connect_)
        inside.addLayout(self.fields)
        inside.addLayout(buttons)
        inside.addWidget(self.status)
        self.body.hide()
        for widget in (self.heading, self.key_page, self.body):
            layout.addWidget(widget)
        layout.addStretch(1)
        self.key.textEdited.connect(lambda _: self._changed())
        self.resource.textEdited.connect(lambda _: self._changed())
        self.deployment.textEdited.connect(lambda _: self._changed())

    def _line(self, name: str, spoken: str, placeholder: str) -> QLineEdit:
        line = QLineEdit(self)
        line.setObjectName(name)
        line.setAccessibleName(spoken)
        line.setPlaceholderText(placeholder)
        return line

    def show_entry(self, entry: CatalogueEntry) -> None:
        """Ask for what `entry` needs; what was typed for another provider is cleared."""
        self.entry = entry
        self.heading.setText(tr("Connect {provider}", provider=entry.name))
        link = f'<a href="{entry.key_page}">{entry.key_page}</a>'
        if entry.needs_resource:
            said = tr(
                "Its key, resource name and deployment are on the resource's page in the "
                "Azure portal ({link}), under Keys and Endpoint.",
                link=link,
            )
        else:
            said = tr("Make a key at {link}, then paste it here.", link=link)
        self.key_page.setText(said)
        for field in (self.resource, self.deployment):
            field.clear()
            self.fields.setRowVisible(field, entry.needs_resource)
        self.key.clear()
        self.body.show()
        self._changed()

    def profile(self) -> ProviderProfile:
        """The profile the form describes (raises InvalidRequest for Azure's fields)."""
        assert self.entry is not None
        return self.entry.profile(resource=self.resource.text(), deployment=self.deployment.text())

    def offer_models(self, models: tuple[str, ...], chosen: str) -> None:
        self.models.clear()
        self.models.addItems(list(models))
        if chosen in models:
            self.models.setCurrentText(chosen)
        self.models.setEnabled(bool(models))
        self.connect_.setEnabled(bool(models))

    def say(self, tone: Tone, text: str) -> None:
        self.status.say(tone, text)

    def _changed(self) -> None:
        """A checked key no longer applies once the fields change."""
        self.models.clear()
        self.models.setEnabled(False)
        self.connect_.setEnabled(False)
        self.check.setEnabled(bool(self.key.text().strip()))
        self.status.clear_notice()
