"""The summary divider's look (`divider.py`), added to the window's sheet: in a module of its
own, so the sheet of the window's first frame does without the divider's widgets."""

DIVIDER_STYLE = """
#summaryDivider QFrame#summaryRule { color: palette(mid); }
#summaryCaption { color: palette(placeholder-text); font-weight: 600; }
#summaryMeta, #summaryNote { color: palette(placeholder-text); }
#summaryText {
    background: palette(alternate-base);
    border-left: 3px solid palette(highlight);
    padding: 8px 10px;
}
"""
