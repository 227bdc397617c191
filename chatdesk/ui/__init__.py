"""The Qt window. It talks to `chatdesk.core` only through `ChatService` and its events."""
