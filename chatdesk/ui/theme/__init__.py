"""chatdesk's look in one place: colours per look (`colours`), the type, spacing and radius
scales (`scale`), the conversation's reading type made from them (`reading`), the style sheets
(`sheet`), the icons (`icons`, loaded on first use) and the watcher that keeps the app on the
chosen theme and reading size (`watcher`)."""

from chatdesk.ui.theme.sheet import window_sheet
from chatdesk.ui.theme.watcher import (
    THEMES,
    ThemeWatcher,
    apply_theme,
    current_look,
    current_reading_font,
    is_dark,
    new_application,
    palette_for,
)

__all__ = [
    "THEMES",
    "ThemeWatcher",
    "apply_theme",
    "current_look",
    "current_reading_font",
    "is_dark",
    "new_application",
    "palette_for",
    "window_sheet",
]
