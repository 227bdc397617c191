"""The local API: chatdesk's chats for the user's other programs, over HTTP and WebSocket.

A third front-end beside the window and the command line (docs/local-api.md): FastAPI routes
that call the core's surface and nothing behind it, served by uvicorn on the window's own event
loop or alone by `chatdesk serve`. Loaded only when the API is switched on or served.
"""
