"""How sizes and amounts read to a person: in the window, the CLI and exports alike."""


def format_size(size: int) -> str:
    """Bytes as "512 B", "1.2 KB" or "3.4 MB"."""
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / (1024 * 1024):.1f} MB"


def format_cost(usd: float) -> str:
    """US dollars with the digits a small amount needs: "$0.000024", "$0.0004", "$0.012",
    "$1.25"; a local model's few tokens at a tiny price still show what they cost."""
    if usd == 0:
        return "$0.00"
    if usd < 0.000001:
        return "< $0.000001"
    if usd < 0.0001:
        return f"${usd:.6f}"
    if usd < 0.01:
        return f"${usd:.4f}"
    if usd < 1:
        return f"${usd:.3f}"
    return f"${usd:,.2f}"
