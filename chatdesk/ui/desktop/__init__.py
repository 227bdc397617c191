"""chatdesk beside the user's other programs: one running instance per data folder, the quick
window opened from anywhere, the tray, system notifications and `chatdesk:` links.

`hub.Desktop` is what the running window offers them; each way in (a second start handing its
request over, the global shortcut, the tray's menu, a link) asks it, never the window.
"""
