"""Memory: what the user wants remembered across chats, kept on this computer only."""
