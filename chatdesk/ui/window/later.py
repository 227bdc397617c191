"""A window's parts that its first frame does without, built on the turns of Qt's loop right
after that frame (decision 0009): one part per turn, so keys and paints are taken in between
and what is typed meanwhile lands in the composer, which the first frame has.

The parts are a generator that yields after each one: the window that builds them at once
(`finish()`) runs the same code as the one that builds them later.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator

from PySide6.QtCore import QEvent, QObject, QTimer, Signal
from PySide6.QtWidgets import QWidget

# PySide6 makes each Python class of Qt's the first time it is used, its enums with it. Two
# costs come at once where a part first needs them: the first widget Qt made that Python has
# not seen yet (a scroll area's viewport) makes PySide6 make every QWidget class, ~10 ms, to find
# which one it is; and QStyle, which list delegates use, is one class of ~5 ms. `qt_classes()`
# makes them on turns of their own before the parts that need them: QStyle and its options
# first, then the QWidget classes of PySide6 6.12's QtWidgets a few per turn (one missing here
# is made by that search when needed, one not there is skipped).
_STYLE_CLASSES = ("QStyleOption", "QStyleOptionViewItem", "QStyledItemDelegate")  # after QStyle
_WIDGET_CLASSES = (
    "QAbstractButton",
    "QAbstractItemView",
    "QAbstractScrollArea",
    "QAbstractSlider",
    "QAbstractSpinBox",
    "QCalendarWidget",
    "QCheckBox",
    "QColorDialog",
    "QColumnView",
    "QComboBox",
    "QCommandLinkButton",
    "QDateEdit",
    "QDateTimeEdit",
    "QDial",
    "QDialog",
    "QDialogButtonBox",
    "QDockWidget",
    "QDoubleSpinBox",
    "QErrorMessage",
    "QFileDialog",
    "QFocusFrame",
    "QFontComboBox",
    "QFontDialog",
    "QFrame",
    "QGraphicsView",
    "QGroupBox",
    "QHeaderView",
    "QInputDialog",
    "QKeySequenceEdit",
    "QLCDNumber",
    "QLabel",
    "QLineEdit",
    "QListView",
    "QListWidget",
    "QMainWindow",
    "QMdiArea",
    "QMdiSubWindow",
    "QMenu",
    "QMenuBar",
    "QMessageBox",
    "QPlainTextEdit",
    "QProgressBar",
    "QProgressDialog",
    "QPushButton",
    "QRadioButton",
    "QRhiWidget",
    "QRubberBand",
    "QScrollArea",
    "QScrollBar",
    "QSizeGrip",
    "QSlider",
    "QSpinBox",
    "QSplashScreen",
    "QSplitter",
    "QSplitterHandle",
    "QStackedWidget",
    "QStatusBar",
    "QTabBar",
    "QTabWidget",
    "QTableView",
    "QTableWidget",
    "QTextBrowser",
    "QTextEdit",
    "QTimeEdit",
    "QToolBar",
    "QToolBox",
    "QToolButton",
    "QTreeView",
    "QTreeWidget",
    "QUndoView",
    "QWizard",
    "QWizardPage",
)
_CLASSES_PER_TURN = 12  # ~2 ms


class BuiltLater(QObject):
    finished = Signal()  # the last part is built

    def __init__(self, window: QWidget, parts: Iterator[None]) -> None:
        """The first of `parts` is built now (what the first frame shows); the others one per
        turn of the loop once `window` has painted, or at once by `finish()`."""
        super().__init__(window)
        self._parts: Iterator[None] | None = parts
        if self._build_one():  # the first frame's parts; the others wait for its paint
            window.installEventFilter(self)

    @property
    def done(self) -> bool:
        return self._parts is None

    def finish(self) -> None:
        """Build every part left now (the core is attached, or the window is wanted whole)."""
        while self._build_one():
            pass

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            watched.removeEventFilter(self)
            QTimer.singleShot(0, self, self._next)  # once this paint is done
        return False

    def _next(self) -> None:
        if self._build_one():
            QTimer.singleShot(0, self, self._next)  # a turn of the loop between two parts

    def _build_one(self) -> bool:
        """Build the next part; False once none is left."""
        if self._parts is None:
            return False
        try:
            next(self._parts)
        except StopIteration:
            self._parts = None
            window = self.parent()
            if isinstance(window, QWidget):  # built before it painted: nothing left to wait for
                window.removeEventFilter(self)
            self.finished.emit()
            return False
        return True


def qt_classes() -> Iterator[None]:
    """Make PySide6's style and widget classes, a turn or a few classes at a time (see
    `_STYLE_CLASSES`): parts of a window built later, `yield from` before the parts that
    need them."""
    from PySide6 import QtWidgets

    turns: list[tuple[str, ...]] = [("QStyle",), _STYLE_CLASSES]
    turns += [
        _WIDGET_CLASSES[start : start + _CLASSES_PER_TURN]
        for start in range(0, len(_WIDGET_CLASSES), _CLASSES_PER_TURN)
    ]
    for names in turns:
        for name in names:
            getattr(QtWidgets, name, None)
        yield


def imported(*modules: str) -> Iterator[None]:
    """Import `modules`, one a turn: parts of a window built later `yield from` it before the
    part that imports them all at once, which would hold the loop for more than a frame."""
    for name in modules:
        importlib.import_module(name)
        yield
