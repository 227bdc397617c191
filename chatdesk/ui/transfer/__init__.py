"""Export and import from the window (File menu): file dialogs, progress, Cancel and reports
over the core's Transfer. Loaded on first use, never at start-up."""
