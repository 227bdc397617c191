"""The window's names for chatdesk's formats of sizes and amounts (kept in the core, which
exports use too)."""

from chatdesk.core.units import format_cost, format_size

__all__ = ["format_cost", "format_size"]
