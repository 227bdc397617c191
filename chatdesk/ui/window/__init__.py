"""The main window's parts, each with one job, built by `chatdesk/ui/main_window.py`, which
routes the core's events to them."""
