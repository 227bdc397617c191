"""The style sheets: the app's (every window and dialog) and the main window's own.

Made from the look's colours (colours.py) and the scales (scale.py) for the current body font,
and made again when either changes (watcher.py, and the main window on `changed`): a sheet
holds colours and sizes, not references to them.

Every control keeps a visible keyboard focus: buttons and editable text areas draw a 2 px ring
(padding shrinks by 1 px so nothing moves); Fusion draws none on text areas. Line edits, combo
boxes, spin boxes, check boxes and tabs keep Fusion's own focus frame. Read-only text (the
conversation) gets no frame: it is content, not a field.
"""

from __future__ import annotations

from string import Template

from chatdesk.ui.theme.colours import Look, colours
from chatdesk.ui.theme.scale import CONTROL, ICON, RADIUS, SPACE, TYPE

_APP = Template("""
QPushButton, QToolButton {
    background: $raised;
    border: 1px solid $border_strong;
    border-radius: ${radius_m}px;
    padding: 4px 12px;
    outline: none; /* the ring below shows focus; no dotted box around the label too */
}
QToolButton { padding: 3px 6px; }
/* A dialog's OK, Save, Cancel … are words alone, as on Windows and macOS: no style's floppy disk
   or red cross beside them (a button the app gives an icon of its own keeps it). */
QDialogButtonBox { dialogbuttonbox-buttons-have-icons: 0; }
QPushButton:hover, QToolButton:hover { background: $hover; }
QPushButton:pressed, QToolButton:pressed, QToolButton:checked { background: $pressed; }
QPushButton:focus { border: 2px solid $focus; padding: 3px 11px; }
QToolButton:focus { border: 2px solid $focus; padding: 2px 5px; }
QPushButton:disabled, QToolButton:disabled {
    background: $window;
    border-color: $border;
    color: $text_disabled;
}
QPushButton[primary="true"]:enabled {
    background: $accent;
    border-color: $accent;
    color: $on_accent;
}
QPushButton[primary="true"]:enabled:hover { border-color: $text; }
QPushButton[primary="true"]:enabled:focus { border: 2px solid $text; }

QPlainTextEdit[readOnly="false"], QTextEdit[readOnly="false"] {
    background: $surface;
    border: 1px solid $border_strong;
    border-radius: ${radius_m}px;
    padding: 2px;
}
QPlainTextEdit[readOnly="false"]:focus, QTextEdit[readOnly="false"]:focus {
    border: 2px solid $focus;
    padding: 1px;
}

QFrame#attachmentChip {
    background: $surface_alt;
    border: 1px solid $border;
    border-radius: 11px;
}
QToolButton#chipRemove {
    background: transparent;
    border: 2px solid transparent;
    border-radius: 9px;
    padding: 0 2px;
}
QToolButton#chipRemove:hover { background: $hover; }
QToolButton#chipRemove:focus { border-color: $focus; }
QToolButton#chipAction {
    background: transparent;
    border: 1px solid $border_strong;
    border-radius: 9px;
    padding: 0 6px;
}
QToolButton#chipAction:hover { background: $hover; }
QToolButton#chipAction:focus { border: 2px solid $focus; padding: 0 5px; }

QSplitter::handle { background: $window; }
QSplitter::handle:horizontal { width: 4px; }
QSplitter::handle:vertical { height: 4px; }
QSplitter::handle:hover { background: $accent; }

QScrollBar:vertical { background: transparent; width: 10px; margin: 0; }
QScrollBar:horizontal { background: transparent; height: 10px; margin: 0; }
QScrollBar::handle { background: $border_strong; border-radius: 3px; margin: 2px; }
QScrollBar::handle:vertical { min-height: 24px; }
QScrollBar::handle:horizontal { min-width: 24px; }
QScrollBar::handle:hover, QScrollBar::handle:pressed { background: $text_quiet; }
QScrollBar::add-line, QScrollBar::sub-line { width: 0; height: 0; border: none; }
QScrollBar::add-page, QScrollBar::sub-page { background: none; }

QToolTip {
    background: $tooltip;
    color: $on_tooltip;
    border: 1px solid $border_strong;
    padding: 4px;
}
""")

_WINDOW = Template("""
#conversation { background: $surface; }
MessageBrowser { background: transparent; }
QScrollArea { background: $surface; }
#userMessage #bubble {
    background: $bubble;
    color: $on_bubble;
    border: none;
    border-radius: ${radius_l}px;
}
#userMessage MessageBrowser { color: $on_bubble; }
#messageHeader { color: $text; font-weight: 600; }
#speakerName { color: $text; font-weight: 600; }
#messageMeta, #branchPosition, #attachments, #sourceBase {
    color: $text_quiet;
    font-size: ${caption}pt;
}
#messageStatus, #cutNotice { color: $text_quiet; }
#messageStatus[state="error"] { color: $danger; font-weight: 600; }
#messageStatus[state="interrupted"] { color: $warning; }
#backgroundStatus { color: $warning; font-weight: 600; }
#readOnlyBanner {
    background: $surface_alt;
    border-bottom: 2px solid $warning;
    padding: 8px 12px;
}
#messageStatus[state="streaming"], #messageStatus[state="pending"] { color: $link; }
#talkBar { background: $surface_alt; border-top: 2px solid $border; }
#talkBar[state="listening"], #talkBar[state="hearing"] { border-top: 2px solid $accent; }
#talkState { font-weight: 600; }
#talkHint { color: $text_quiet; }
#reasoning {
    background: $surface_alt;
    color: $text_quiet;
    border: none;
    border-left: 3px solid $border;
}
#toolCard {
    background: $surface_alt;
    border: 1px solid $border;
    border-radius: ${radius_m}px;
}
#toolTitle { font-weight: 600; }
#assistantPicker::menu-indicator {
    subcontrol-origin: padding; subcontrol-position: center right; }
#toolState, #toolCaption { color: $text_quiet; }
#toolState[state="failed"], #toolError, #memoryError { color: $danger; }
#toolState[state="not_finished"], #toolState[state="waiting"] { color: $warning; font-weight: 600; }
#toolState[state="running"], #toolState[state="streaming"] { color: $link; }
#toolWarning { color: $warning; }
#leftOutNotice { border: none; border-left: 3px solid $warning; padding-left: 8px; }
/* Qt mirrors a frame's padding right to left, not its border */
#leftOutNotice[mirrored="true"] { border-left: none; border-right: 3px solid $warning; }
#pageTitle { font-size: ${subtitle}pt; font-weight: 600; }
#pageFacts { color: $text_quiet; }
#pageAddress { background: transparent; }
#toolText { background: $surface; border: 1px solid $border; border-radius: ${radius_s}px; }
#threadHeader { background: $window; border-bottom: 1px solid $border; }
#threadTitle { font-size: ${subtitle}pt; font-weight: 600; }
#threadModel { color: $text_quiet; }
#showSidebar { background: transparent; border: 1px solid transparent;
    border-radius: ${radius_m}px; padding: 3px; }
#showSidebar:hover { background: $hover; }
#showSidebar:focus { border: 2px solid $focus; padding: 2px; }
#contextGauge { max-height: 6px; min-height: 6px; border: 1px solid $border_strong;
    border-radius: 3px; background: $surface; }
#contextGauge::chunk { background: $success; border-radius: 2px; }
#contextGauge[level="warn"]::chunk { background: $warning; }
#contextGauge[level="full"]::chunk { background: $danger; }
#emptyTitle { font-size: ${title}pt; font-weight: 600; }
#emptyHint { color: $text_quiet; margin-bottom: ${space_m}px; }
#connectHint, #connectNote { color: $text_quiet; }
#connectSection { font-weight: 600; margin-top: ${space_m}px; }
#suggestionsHeading, #suggestionAssistant { color: $text_quiet; font-size: ${caption}pt; }
#suggestion { border: 1px solid transparent; border-radius: ${radius_m}px;
    background: transparent; padding: 0; }
#suggestion:hover { background: $hover; }
#suggestion:focus { border: 2px solid $focus; }
#messageAction {
    border: 1px solid transparent;
    border-radius: ${radius_s}px;
    padding: 3px;
    color: $text_quiet;
    background: transparent;
}
#messageAction:hover { background: $hover; color: $text; }
#messageAction:focus { border: 2px solid $focus; padding: 2px; }
#messageAction[popupMode="1"] { padding-right: 12px; }
#messageAction[popupMode="1"]:focus { padding-right: 11px; }
#messageAction[popupMode="1"][mirrored="true"] { padding-right: 3px; padding-left: 12px; }
#messageAction[popupMode="1"][mirrored="true"]:focus { padding-right: 2px; padding-left: 11px; }
#messageAction::menu-button { border: none; width: 12px; }
#memoriesUsed { border: 1px solid transparent; border-radius: ${radius_s}px; padding: 1px 4px;
    color: $link; background: transparent; font-size: ${caption}pt; }
#memoriesUsed:hover { background: $hover; }
#memoriesUsed:focus { border: 2px solid $focus; padding: 0px 3px; }
#memoryWords { background: $surface; color: $text; border: 1px solid $border;
    border-radius: ${radius_s}px; padding: 6px 8px; }
#memoryWas { color: $text_quiet; }
#memoriesUsedPopup { background: $surface; border: 1px solid $border_strong; }
#memoriesUsedTitle { color: $text; font-weight: 600; }
#memoryUsed { color: $text; padding-top: 4px; }
#memoryUsedWhom, #memoryGone { color: $text_quiet; font-size: ${caption}pt; }
#reasoningToggle, #sourcesToggle, #sourceRow {
    border: none;
    border-radius: ${radius_s}px;
    padding: 2px 6px;
    color: $text_quiet;
    background: transparent;
    font-weight: 600;
}
#reasoningToggle:hover, #sourcesToggle:hover,
#sourceRow:hover { background: $hover; }
#reasoningToggle:focus, #sourcesToggle:focus,
#sourceRow:focus { border: 2px solid $focus; }
#sourceRow { color: $text; font-weight: normal; }
#jumpToLatest { background: $surface; color: $text; border: 1px solid $border_strong;
    border-radius: 14px; padding: 3px 11px; }
#jumpToLatest:hover { background: $hover; }
#jumpToLatest:focus { border: 2px solid $focus; padding: 2px 10px; }
/* composer */
#composerEditor, #composerEditor:focus {
    background: $surface; border: none; padding: 0 ${space_xs}px; }
#plusButton, #micButton {
    background: transparent;
    border: 1px solid transparent;
    border-radius: ${round_m}px;
    padding: 0;
}
#plusButton:hover, #micButton:hover { background: $hover; }
#plusButton:pressed, #micButton:pressed, #micButton:checked { background: $pressed; }
#plusButton:focus, #micButton:focus { border: 2px solid $focus; }
/* the model: a flat chip, its chevron painted in the room on the side its words end */
#composerBox #modelPicker {
    background: transparent;
    border: 1px solid transparent;
    border-radius: ${round_m}px;
    color: $text;
    padding: 0 ${chevron_room}px 0 ${space_s}px;
}
#composerBox #modelPicker:hover { background: $hover; }
#composerBox #modelPicker:pressed { background: $pressed; }
#composerBox #modelPicker:focus {
    border: 2px solid $focus; padding: 0 ${chevron_room_focus}px 0 ${space_s_focus}px; }
#composerBox #modelPicker[mirrored="true"] { padding: 0 ${space_s}px 0 ${chevron_room}px; }
#composerBox #modelPicker[mirrored="true"]:focus {
    padding: 0 ${space_s_focus}px 0 ${chevron_room_focus}px; }
/* the chips of what is on */
#composerChip { background: $accent_tint; border: none; border-radius: ${round_s}px; }
#chipLabel, #chipOff {
    background: transparent;
    border: 2px solid transparent;
    border-radius: ${radius_m}px;
    color: $on_accent_tint;
    padding: 0 ${space_xxs}px;
}
#chipLabel:hover, #chipOff:hover { background: $surface; }
#chipLabel:focus, #chipOff:focus { border-color: $focus; }
#chipOff { padding: 0; }
/* the assistant and the model in the quick window */
#assistantPicker, #modelPicker {
    background: $pill;
    border: 1px solid $border_strong;
    border-radius: ${radius_l}px;
    color: $text;
    padding: 0 ${space_m}px;
}
#assistantPicker { padding-right: 20px; }
#assistantPicker:hover, #modelPicker:hover { background: $hover; }
#assistantPicker:pressed, #modelPicker:pressed { background: $pressed; }
#assistantPicker:focus, #modelPicker:focus { border: 2px solid $focus; padding: 0 11px; }
#assistantPicker:focus { padding-right: 19px; }
/* the "+" menu and its submenus: roomier rows than a menu bar's */
#plusMenu, #plusMenu QMenu {
    background: $surface; border: 1px solid $border_strong; padding: ${space_xs}px 0; }
#plusMenu::item, #plusMenu QMenu::item {
    padding: ${space_xs}px ${space_xl}px ${space_xs}px ${space_xs}px;
    margin: ${space_xxs}px ${space_xs}px;
    border-radius: ${radius_s}px;
    color: $text;
}
#plusMenu::item:selected, #plusMenu QMenu::item:selected { background: $hover; }
#plusMenu::item:disabled, #plusMenu QMenu::item:disabled { color: $text_disabled; }
#plusMenu::separator, #plusMenu QMenu::separator {
    height: 1px; background: $border; margin: ${space_xs}px ${space_s}px; }
/* the model picker: as the "+" menu, its row a quiet ground, the model in use ticked */
#modelMenu { background: $surface; border: 1px solid $border_strong; }
#modelSearch { padding: ${space_xs}px ${space_s}px; }
#modelList { border: none; background: $surface; }
#modelList::item { padding: ${space_xs}px; border-radius: ${radius_s}px; color: $text; }
#modelList::item:selected { background: $hover; color: $text; }
#sendButton { background: $accent; border: none; border-radius: ${round_l}px; padding: 0; }
#sendButton:hover { border: 2px solid $accent_tint; }
#sendButton:focus { border: 2px solid $text; }
#sendButton:disabled { background: $pill; border: 1px solid $border; }
#sendCost { color: $text_quiet; }
#webNotice { color: $warning; font-weight: 600; padding: 0 ${space_xs}px; }
#dropZoneText { color: $text; font-weight: 600; }
/* end composer */
""")


# The quick window (chatdesk/ui/quick/window.py): a window of its own, so it takes the main
# window's sheet (the pills, the model menu) and these rules over it.
_QUICK = Template("""
#quickWindow { background: $window; border: 1px solid $border_strong; }
#quickTitle { color: $text_quiet; font-weight: 600; }
#quickQuestion, #quickAnswer {
    background: $surface;
    color: $text;
    border: 1px solid $border_strong;
    border-radius: ${radius_m}px;
    padding: ${space_xs}px;
}
#quickAnswer, #quickFormatted { border-color: $border; }
#quickFormatted {
    background: $surface;
    border: 1px solid $border;
    border-radius: ${radius_m}px;
    padding: ${space_xs}px;
}
#quickFormattedText { background: $surface; color: $text; }
#quickQuestion:focus, #quickAnswer:focus { border: 2px solid $focus; padding: 3px; }
#quickContext {
    background: $surface_alt;
    border: 1px solid $border;
    border-left: 3px solid $quote_bar;
    border-radius: ${radius_m}px;
}
#quickContext[added="true"] { background: $accent_tint; border-color: $accent; }
#quickContextQuote { color: $text_quiet; font-style: italic; }
#quickContextNote, #quickStatus { color: $text_quiet; font-size: ${caption}pt; }
#quickAsked { color: $text_quiet; }
#quickContext[added="true"] #quickContextQuote,
#quickContext[added="true"] #quickContextNote { color: $text; font-style: normal; }
#quickContextButton { padding: 2px ${space_s}px; }
#quickStatus[state="error"] { color: $danger; font-weight: 600; }
#quickOpen { background: $accent; color: $on_accent; border: 1px solid $accent; }
#quickOpen:focus { border: 2px solid $text; }
#quickOpen:disabled { background: $window; color: $text_disabled; border-color: $border; }
""")


def _values(look: Look, body_points: float) -> dict[str, str]:
    values = colours(look)
    values.update({name: f"{body_points * factor:.1f}" for name, factor in TYPE.items()})
    values.update({f"radius_{name}": str(px) for name, px in RADIUS.items()})
    values.update({f"space_{name}": str(px) for name, px in SPACE.items()})
    # The composer's model chip: room for its chevron (painted) after its words; a 2 px focus
    # ring takes one pixel more of each side's padding than the 1 px edge at rest.
    chevron = ICON["s"] + SPACE["s"] + SPACE["xs"]
    values["chevron_room"] = str(chevron)
    values["chevron_room_focus"] = str(chevron - 1)
    values["space_s_focus"] = str(SPACE["s"] - 1)
    # Round: half the height of the composer's controls (a larger radius is not drawn at all).
    values.update({f"round_{name}": str(px // 2) for name, px in CONTROL.items()})
    return values


def app_sheet(look: Look, body_points: float) -> str:
    """The sheet of the whole app in `look`, for a body font of `body_points`."""
    return _APP.substitute(_values(look, body_points))


def window_sheet(look: Look, body_points: float) -> str:
    """The main window's own sheet (messages, header, empty state), on top of the app's."""
    return _WINDOW.substitute(_values(look, body_points))


def quick_sheet(look: Look, body_points: float) -> str:
    """The quick window's sheet: the main window's, and its own rules over it."""
    values = _values(look, body_points)
    return _WINDOW.substitute(values) + _QUICK.substitute(values)
