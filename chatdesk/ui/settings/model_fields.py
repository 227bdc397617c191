"""The models and limits of a profile: default model (typed, or picked from the server's
list), models typed by hand, context window, prices and a request limit."""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QWidget,
)

from chatdesk.core.i18n import mark, tr
from chatdesk.core.providers.profiles import ProviderProfile
from chatdesk.ui.settings.notices import Notice
from chatdesk.ui.settings.profile_check import ProfileInput

_LARGEST_CONTEXT = 100_000_000
_MOST_REQUESTS = 100_000
# In the order ProfileInput and the screen show them.
_IMAGES = (
    (mark("As chatdesk knows the model"), ""),
    (mark("Yes, every model here"), "yes"),
    (mark("No, none of them"), "no"),
)
# (object name, caption, accessible name)
_PRICES = (
    ("inputPrice", mark("&Input"), mark("Input price in US dollars per million tokens")),
    (
        "cachedInputPrice",
        mark("Cac&hed input"),
        mark("Cached input price in US dollars per million tokens"),
    ),
    ("outputPrice", mark("Out&put"), mark("Output price in US dollars per million tokens")),
)


def _price_text(price: float | None) -> str:
    return "" if price is None else f"{price:g}"


class ModelFields(QWidget):
    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._make_model_fields()
        self._make_image_fields()
        self._make_cost_fields()
        self._lay_out()
        for line in (*self.prices, self.others):
            line.textChanged.connect(self.changed)

    def _make_model_fields(self) -> None:
        """The model to use, the fetch button, the other models, the context window."""
        self.model = QComboBox(self)
        self.model.setObjectName("defaultModel")
        self.model.setAccessibleName(tr("Default model"))
        self.model.setEditable(True)
        self.model.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.model.setMinimumContentsLength(16)  # long model names: "qwen2.5-coder:32b"
        self.model.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        editor = self.model.lineEdit()
        assert editor is not None  # editable combo boxes have one
        editor.setPlaceholderText(tr("Type or fetch"))
        self.fetch = QPushButton(tr("&Fetch models"), self)
        self.fetch.setObjectName("fetchModels")
        self.fetch.setToolTip(tr("Ask the server which models it offers"))
        self.fetch_result = Notice("fetchResult", self)
        self.others = QLineEdit(self)
        self.others.setObjectName("otherModels")
        self.others.setAccessibleName(tr("Other models"))
        self.others.setPlaceholderText(tr("Names, comma-separated"))
        self.others.setToolTip(tr("Models to offer when the server does not list its own"))
        self.context = self._spin("contextWindow", tr("Context window in tokens"), _LARGEST_CONTEXT)
        self.context.setSingleStep(1024)
        # translators: after a number of tokens in a spin box, with its leading space
        self.context.setSuffix(tr(" tokens"))
        self.context.setSpecialValueText(tr("The model's own"))  # 0: from chatdesk's model table
        self.context.setToolTip(
            tr(
                'How many tokens the model takes in. "The model\'s own" uses what chatdesk knows '
                "of well-known models (8,192 for others)."
            )
        )

    def _make_image_fields(self) -> None:
        """Whether the models take images, and the largest image sent."""
        self.images = QComboBox(self)
        self.images.setObjectName("modelsTakeImages")
        self.images.setAccessibleName(tr("Models take images"))
        for label, value in _IMAGES:
            self.images.addItem(tr(label), value)
        self.images.setToolTip(
            tr(
                "Whether images attached to a message are sent to this server's models. chatdesk "
                "knows the vision models of OpenAI, Anthropic, Google, Llama, Qwen, Gemma, Pixtral "
                "and LLaVA; say so here for one it does not know."
            )
        )
        self.image_side = self._spin(
            "imageMaxSide", tr("Largest image side sent, in pixels"), 16_384
        )
        self.image_side.setSpecialValueText(tr("Side as attached"))
        # translators: after a number of pixels in a spin box, with its leading space
        self.image_side.setSuffix(tr(" px"))
        self.image_side.setSingleStep(256)
        self.image_mb = QDoubleSpinBox(self)
        self.image_mb.setObjectName("imageMaxMb")
        self.image_mb.setAccessibleName(tr("Largest image sent, in MB"))
        self.image_mb.setRange(0.0, 50.0)
        self.image_mb.setSingleStep(0.5)
        self.image_mb.setDecimals(1)
        # translators: after a number of megabytes in a spin box, with its leading space
        self.image_mb.setSuffix(tr(" MB"))
        self.image_mb.setSpecialValueText(tr("Size as attached"))
        for spin in (self.image_side, self.image_mb):
            spin.setToolTip(
                tr(
                    "The largest image this server takes: an image past it is made smaller when "
                    'it is sent. "As attached" sends images as the attachments settings keep them.'
                )
            )

    def _make_cost_fields(self) -> None:
        """Prices, the monthly cap and the requests per minute."""
        self.prices = [self._price(name, accessible) for name, _, accessible in _PRICES]
        self.prices_problem = Notice("pricesProblem", self)
        self.monthly_cap = QDoubleSpinBox(self)
        self.monthly_cap.setObjectName("providerMonthlyCap")
        self.monthly_cap.setAccessibleName(tr("Monthly spending cap in US dollars"))
        self.monthly_cap.setRange(0.0, 1_000_000.0)
        self.monthly_cap.setDecimals(2)
        self.monthly_cap.setPrefix("$")
        # translators: after an amount of US dollars in a spin box, with its leading space
        self.monthly_cap.setSuffix(tr(" a month"))
        self.monthly_cap.setSpecialValueText(tr("No cap"))
        self.monthly_cap.setToolTip(
            tr(
                "Once this server's answers have cost this much in a month, a request to it is "
                "refused before it is sent (Send anyway lets one through)."
            )
        )
        self.requests = self._spin("requestsPerMinute", tr("Requests per minute"), _MOST_REQUESTS)
        self.requests.setSpecialValueText(tr("No limit"))
        # translators: after a number of requests in a spin box, with its leading space
        self.requests.setSuffix(tr(" per minute"))

    def _spin(self, name: str, accessible: str, largest: int) -> QSpinBox:
        spin = QSpinBox(self)
        spin.setObjectName(name)
        spin.setAccessibleName(accessible)
        spin.setRange(0, largest)
        spin.setGroupSeparatorShown(True)
        return spin

    def _price(self, name: str, accessible: str) -> QLineEdit:
        line = QLineEdit(self)
        line.setObjectName(name)
        line.setAccessibleName(tr(accessible))
        # translators: the placeholder of an empty price field
        line.setPlaceholderText(tr("not set"))
        line.setMaximumWidth(self.fontMetrics().horizontalAdvance("0000.0000") + 24)
        return line

    def _lay_out(self) -> None:
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        model_row = QHBoxLayout()
        model_row.addWidget(self.model, 1)
        model_row.addWidget(self.fetch)
        label = QLabel(tr("&Default model:"), self)
        label.setBuddy(self.model)  # a row holding a layout gets a label without one
        form.addRow(label, model_row)
        form.addRow(self.fetch_result)
        form.addRow(tr("&Other models:"), self.others)
        form.addRow(tr("Conte&xt window:"), self.context)
        form.addRow(tr("&Models take images:"), self.images)
        sizes = QHBoxLayout()
        sizes.addWidget(self.image_side)
        sizes.addWidget(self.image_mb)
        sizes.addStretch(1)
        largest = QLabel(tr("&Largest image sent:"), self)
        largest.setBuddy(self.image_side)
        form.addRow(largest, sizes)
        form.addRow(QLabel(tr("Prices in US dollars per million tokens:"), self))
        grid = QGridLayout()
        for column, (line, (_, text, _)) in enumerate(zip(self.prices, _PRICES, strict=True)):
            caption = QLabel(tr(text), self)
            caption.setBuddy(line)
            grid.addWidget(caption, 0, column)
            grid.addWidget(line, 1, column)
        grid.setColumnStretch(len(_PRICES), 1)
        form.addRow(grid)
        form.addRow(self.prices_problem)
        form.addRow(tr("Sp&ending cap:"), self.monthly_cap)
        form.addRow(tr("&Requests:"), self.requests)

    # -- values ----------------------------------------------------------------------------------

    def fill(self, profile: ProviderProfile) -> None:
        self.add_models(profile.models)
        self.model.setEditText(profile.default_model)
        self.others.setText(", ".join(profile.models))
        self.context.setValue(profile.context_window)
        self.images.setCurrentIndex(max(self.images.findData(profile.images), 0))
        self.image_side.setValue(profile.image_max_side)
        self.image_mb.setValue(profile.image_max_mb)
        prices = (
            profile.input_price_per_million,
            profile.cached_input_price_per_million,
            profile.output_price_per_million,
        )
        for line, price in zip(self.prices, prices, strict=True):
            line.setText(_price_text(price))
        self.requests.setValue(profile.requests_per_minute)
        self.monthly_cap.setValue(profile.monthly_cap_usd)

    def typed(self, name: str, base_url: str) -> ProfileInput:
        input_price, cached_price, output_price = (line.text() for line in self.prices)
        return ProfileInput(
            name=name,
            base_url=base_url,
            default_model=self.model.currentText(),
            models=self.others.text(),
            context_window=self.context.value(),
            images=str(self.images.currentData() or ""),
            image_max_side=self.image_side.value(),
            image_max_mb=self.image_mb.value(),
            input_price=input_price,
            cached_input_price=cached_price,
            output_price=output_price,
            requests_per_minute=self.requests.value(),
            monthly_cap_usd=self.monthly_cap.value(),
        )

    def add_models(self, models: Iterable[str]) -> None:
        """Offer `models` in the default model's list; what is typed there stays."""
        typed = self.model.currentText()
        known = {self.model.itemText(i) for i in range(self.model.count())}
        self.model.addItems([m for m in models if m not in known])
        self.model.setEditText(typed)
