"""The window's own look (messages, header, empty state), on top of the app-wide sheet in
theme.py. Colours come from the palette so light and dark both work; set again after a theme
change because palette(...) is resolved when a sheet is applied."""

WINDOW_STYLE = """
#conversation { background: palette(base); }
MessageBrowser { background: transparent; }
QScrollArea { background: palette(base); }
#userMessage #bubble {
    background: palette(alternate-base);
    border: 1px solid palette(midlight);
    border-radius: 12px;
}
#messageHeader { color: palette(placeholder-text); font-weight: 600; }
#messageMeta, #branchPosition, #attachments, #sourceBase { color: palette(placeholder-text); }
#messageStatus { color: palette(placeholder-text); }
#messageStatus[state="error"] { color: #d9534f; font-weight: 600; }
#messageStatus[state="interrupted"] { color: #c98a12; }
#backgroundStatus { color: #c98a12; font-weight: 600; }
#readOnlyBanner {
    background: rgba(201, 138, 18, 0.16);
    border-bottom: 1px solid #c98a12;
    padding: 8px 12px;
}
#messageStatus[state="streaming"], #messageStatus[state="pending"] { color: palette(highlight); }
#reasoning {
    background: palette(alternate-base);
    color: palette(placeholder-text);
    border: none;
    border-left: 3px solid palette(mid);
}
#toolCard {
    background: palette(alternate-base);
    border: 1px solid palette(midlight);
    border-radius: 8px;
}
#toolTitle { font-weight: 600; }
#toolsButton, #knowledgeButton { padding-right: 16px; }
#toolsButton::menu-indicator, #knowledgeButton::menu-indicator {
    subcontrol-origin: padding; subcontrol-position: center right; }
#compareButton { padding-right: 22px; }
#compareButton:focus { padding-right: 21px; }
#compareButton::menu-button {
    width: 18px;
    border: none;
    border-left: 1px solid palette(mid);
}
#toolState, #toolCaption { color: palette(placeholder-text); }
#toolState[state="failed"] { color: #d9534f; }
#toolState[state="not_finished"], #toolState[state="waiting"] { color: #c98a12; font-weight: 600; }
#toolState[state="running"], #toolState[state="streaming"] { color: palette(highlight); }
#toolText { background: palette(base); border: 1px solid palette(midlight); border-radius: 4px; }
#threadHeader { background: palette(window); border-bottom: 1px solid palette(mid); }
#threadTitle { font-size: 15px; font-weight: 600; }
#threadModel { color: palette(placeholder-text); }
#contextGauge { max-height: 14px; border: 1px solid palette(mid); border-radius: 4px;
    text-align: center; font-size: 11px; background: palette(base); }
#contextGauge::chunk { background: #3fa46a; border-radius: 3px; }
#contextGauge[level="warn"]::chunk { background: #e0b000; }
#contextGauge[level="full"]::chunk { background: #d9534f; }
#emptyTitle { font-size: 22px; font-weight: 600; }
#emptyHint { color: palette(placeholder-text); margin-bottom: 12px; }
#examplePrompt { padding: 8px 16px; min-width: 380px; text-align: left; }
#messageAction {
    border: none;
    border-radius: 4px;
    padding: 2px 6px;
    color: palette(placeholder-text);
    background: transparent;
}
#messageAction:hover { background: palette(alternate-base); color: palette(text); }
#messageAction:focus { border: 1px solid palette(highlight); }
#reasoningToggle, #sourcesToggle, #sourceRow {
    border: none;
    border-radius: 4px;
    padding: 2px 6px;
    color: palette(placeholder-text);
    background: transparent;
    font-weight: 600;
}
#reasoningToggle:hover, #sourcesToggle:hover,
#sourceRow:hover { background: palette(alternate-base); }
#reasoningToggle:focus, #sourcesToggle:focus,
#sourceRow:focus { border: 1px solid palette(highlight); }
#sourceRow { color: palette(text); font-weight: normal; }
#jumpToLatest { background: palette(highlight); color: palette(highlighted-text);
    border-radius: 12px; padding: 4px 12px; }
"""
