"""The pages of the settings dialog (`chatdesk.ui.preferences.PreferencesDialog`).

Each page edits one topic. Appearance and Chat edit a copy of the settings that the window
applies on OK; Providers, Data and Usage act at once through the core (profiles are saved and
take effect when the user saves them, a backup is made when asked for).
"""
