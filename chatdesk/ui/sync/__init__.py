"""Team sync in the window: the status bar's indicator, the teams known, sharing from the
sidebar, and the note shown when an edit lost to a teammate's newer one.

Built by `MainWindow.attach(team=...)` only: nothing here is imported or made before the first
paint, and nothing here imports psycopg or the keyring (those load in the core, on demand).
"""
