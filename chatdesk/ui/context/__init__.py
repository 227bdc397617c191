"""The context window in the window: the gauge's feed, summaries and their dialogs."""
