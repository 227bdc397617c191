"""chatdesk's look in one place: colours per look (`colours`), the type, spacing and radius
scales (`scale`), the style sheets made from them (`sheet`), the icons (`icons`, loaded on
first use) and the watcher that keeps the app on the chosen theme (`watcher`)."""

from chatdesk.ui.theme.sheet import window_sheet
from chatdesk.ui.theme.watcher import (
    THEMES,
    ThemeWatcher,
    apply_theme,
    current_look,
    is_dark,
    new_application,
    palette_for,
)

__all__ = [
    "THEMES",
    "ThemeWatcher",
    "apply_theme",
    "current_look",
    "is_dark",
    "new_application",
    "palette_for",
    "window_sheet",
]
