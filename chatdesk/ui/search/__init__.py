"""The search palette (Ctrl+K): chats by title and messages by content, with filters; a message
hit opens its thread on its branch, scrolled to it. Built on first use, never at start-up."""
