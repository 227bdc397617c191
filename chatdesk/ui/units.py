"""How sizes read on screen, the same in the composer's chips and on sent messages."""


def format_size(size: int) -> str:
    """Bytes as "512 B", "1.2 KB" or "3.4 MB"."""
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / (1024 * 1024):.1f} MB"
