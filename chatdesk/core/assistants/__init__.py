"""Assistants, named presets of who answers in a chat (`service.Assistants`), and saved prompts
(`prompts.SavedPrompts`): what the composer's slash menu offers."""
