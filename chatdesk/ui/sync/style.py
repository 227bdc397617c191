"""The sync pieces' look, added to the window's sheet: palette colours, and the look's colour
roles (chatdesk/ui/theme/colours.py) substituted for each look."""

from string import Template

SYNC_STYLE = Template("""
#syncStatus { border: none; padding: 0 18px 0 6px; }
#syncStatus[state="offline"] { color: palette(placeholder-text); }
#syncStatus[state="error"] { color: $danger; font-weight: 600; }
#syncNote {
    background: palette(alternate-base);
    border: none;
    border-bottom: 1px solid palette(mid);
    border-left: 3px solid palette(highlight);
}
#syncNoteText { padding: 2px 0; }
""")
