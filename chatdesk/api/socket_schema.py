"""A chat's WebSocket in the OpenAPI schema. OpenAPI has no way to describe a WebSocket, so
FastAPI leaves its routes out; the schema describes it the way OpenAPI can: the upgrade as a
GET answered by 101, and every frame, both ways, as a schema among the components (the
models of `frames.py`, the one description of each frame)."""

from __future__ import annotations

from typing import Any

from pydantic import TypeAdapter

from chatdesk.api.frames import ClientFrame, ServerFrame

PATH = "/api/v1/threads/{thread_id}/ws"
_REF = "#/components/schemas/{model}"


def with_socket(schema: dict[str, Any]) -> dict[str, Any]:
    """`schema` (FastAPI's) with the thread's WebSocket and its frames added."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    frames: tuple[tuple[str, Any], ...] = (
        ("ClientFrame", ClientFrame),
        ("ServerFrame", ServerFrame),
    )
    for name, frame in frames:
        described = TypeAdapter(frame).json_schema(ref_template=_REF, mode="serialization")
        for model, definition in described.pop("$defs", {}).items():
            components.setdefault(model, definition)
        components[name] = described
    schema.setdefault("paths", {})[PATH] = {"get": _upgrade()}
    return schema


def _upgrade() -> dict[str, Any]:
    return {
        "tags": ["threads"],
        "summary": "Follow and drive a chat over a WebSocket",
        "description": (
            "Upgrade to a WebSocket (ws://, the same key as every route: the Authorization or "
            "X-API-Key header, or an AUTH frame first). Text frames are JSON: the client sends "
            "ClientFrame (SEND_MESSAGE, EDIT_MESSAGE, DELETE_MESSAGE, REGENERATE, STOP, "
            "TYPING_INDICATOR, PING), the server sends ServerFrame (READY, ACK, "
            "MESSAGE_CREATED, STREAM_START, STREAM_CHUNK, STREAM_END, MESSAGE_UPDATED, "
            "MESSAGE_DELETED, TYPING, ERROR, PONG, HEARTBEAT) to every client of the chat."
        ),
        "operationId": "thread_socket",
        "parameters": [
            {
                "name": "thread_id",
                "in": "path",
                "required": True,
                "schema": {"type": "string", "format": "uuid"},
            }
        ],
        "responses": {
            "422": {
                "description": "A thread id that is not a UUID.",
                "content": {"application/json": {"schema": {"$ref": _REF.format(model="Error")}}},
            },
            "426": {
                "description": "A plain GET, without `Upgrade: websocket`: connect with ws://.",
                "content": {"application/json": {"schema": {"$ref": _REF.format(model="Error")}}},
            },
            "101": {
                "description": "Switched to the WebSocket protocol; frames as ClientFrame and "
                "ServerFrame.",
                "content": {
                    "application/json": {
                        "schema": {
                            "oneOf": [
                                {"$ref": _REF.format(model="ClientFrame")},
                                {"$ref": _REF.format(model="ServerFrame")},
                            ]
                        }
                    }
                },
            },
        },
    }
