"""chatdesk: a native desktop AI chat client."""

__version__ = "0.1.0"
