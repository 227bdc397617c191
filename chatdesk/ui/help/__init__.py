"""The Help menu's dialogs: the keyboard shortcuts, About chatdesk, and what to send with a
report of a problem. Each loads when first opened."""
