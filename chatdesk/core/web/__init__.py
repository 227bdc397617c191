"""The web: searching it and reading its pages (docs/design.md §12)."""
