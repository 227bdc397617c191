"""The quick window: a small window over whatever the user is doing, to ask one question."""
