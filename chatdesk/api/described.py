"""The OpenAPI description the API serves (`/openapi.json`), made to say what the API does:
FastAPI's schema, with the thread's WebSocket (`socket_schema.py`), the errors every route can
answer, and what a turn's stream of server-sent events carries.

FastAPI lists only a route's success and its 422; a client generated from that would not know
the 401 of a missing key, the 404 of an unknown thread or the 409 of a busy one. Each error has
the one shape of `errors.py`."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from chatdesk.api.socket_schema import with_socket

_ERROR = "#/components/schemas/Error"
_EVERY = {
    "401": "No key: send it as `Authorization: Bearer <key>`.",
    "403": "A wrong key, or a web page from an origin that is not allowed.",
    "421": "A `Host` that is not this machine.",
    "429": "Past the rate limit (`Retry-After` says when to try again).",
    "503": "chatdesk cannot do it now (a full or read-only disk, a locked database).",
}
_WITH_BODY = {"413": "A body past `[api] max_body_mb`."}
_LOOKING_UP = {
    "404": "A thread (or one in the trash), message, assistant, project, tool server or "
    "model that does not exist."
}
_REFUSED = {"400": "It cannot be done as asked; the message says why."}
_BUSY = {"409": "An answer is still being written in the thread."}
_PROVIDER = {
    "502": "The provider refused chatdesk's key, or failed.",
    "504": "The provider timed out, or went silent.",
}
_ASKING = ("/messages", "/summaries", "/v1/chat/", "/v1/embeddings")  # a model is asked
# Routes that find nothing to look up, refuse nothing and take no body: the errors of every route.
_PLAIN = frozenset({"/v1/models", "/api/v1/health", "/api/v1/assistants", "/api/v1/projects"})


def described(app: FastAPI) -> dict[str, Any]:
    """The app's OpenAPI description; made once."""
    if app.openapi_schema is None:
        schema = get_openapi(title=app.title, version=app.version, routes=app.routes)
        schema = with_socket(schema)
        schema["components"]["schemas"]["Error"] = _error_schema()
        for path, operations in schema["paths"].items():
            for method, operation in operations.items():
                operation["responses"] |= _errors(path, method, operation)
        app.openapi_schema = schema
    return app.openapi_schema


def _errors(path: str, method: str, operation: dict[str, Any]) -> dict[str, Any]:
    said = dict(_EVERY)
    if path not in _PLAIN:
        said |= _LOOKING_UP | _REFUSED | _BUSY
    if "requestBody" in operation:
        said |= _WITH_BODY
    if method in ("post", "patch") and any(p in path for p in _ASKING):
        said |= _PROVIDER
    content = {"application/json": {"schema": {"$ref": _ERROR}}}
    return {status: {"description": text, "content": content} for status, text in said.items()}


def _error_schema() -> dict[str, Any]:
    """OpenAI's shape of an error, which every error of the API has."""
    detail = {
        "type": "object",
        "required": ["message", "type", "code", "param"],
        "properties": {
            "message": {"type": "string"},
            "type": {"type": "string"},
            "code": {"type": ["string", "null"]},
            "param": {"type": ["string", "null"]},
        },
    }
    return {"type": "object", "required": ["error"], "properties": {"error": detail}}
