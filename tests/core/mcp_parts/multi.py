"""The test server's question with lists to pick from: `ask_everything` asks the form of the
reference "everything" server's `trigger-elicitation-request` tool, word for word (text with
formats, numbers with bounds, yes/no, single choices titled three ways, and two multi-selects:
one of plain values, one of titled values), then says what it was answered."""

from __future__ import annotations

import json
from typing import Any

from mcp.server import MCPServer
from mcp.server.mcpserver import Context
from mcp_types import (
    CallToolResult,
    ElicitRequest,
    ElicitRequestFormParams,
    ElicitResult,
    InputRequiredResult,
    TextContent,
)

MESSAGE = "Please provide inputs for the following fields:"
EVERYTHING: dict[str, Any] = {
    "type": "object",
    "properties": {
        "name": {"title": "String", "type": "string", "description": "Your full, legal name"},
        "check": {
            "title": "Boolean",
            "type": "boolean",
            "description": "Agree to the terms and conditions",
        },
        "firstLine": {
            "title": "String with default",
            "type": "string",
            "description": "Favorite first line of a story",
            "default": "It was a dark and stormy night.",
        },
        "email": {
            "title": "String with email format",
            "type": "string",
            "format": "email",
            "description": (
                "Your email address (will be verified, and never shared with anyone else)"
            ),
        },
        "homepage": {
            "type": "string",
            "format": "uri",
            "title": "String with uri format",
            "description": "Portfolio / personal website",
        },
        "birthdate": {
            "title": "String with date format",
            "type": "string",
            "format": "date",
            "description": "Your date of birth",
        },
        "integer": {
            "title": "Integer",
            "type": "integer",
            "description": (
                "Your favorite integer (do not give us your phone number, pin, or other"
                " sensitive info)"
            ),
            "minimum": 1,
            "maximum": 100,
            "default": 42,
        },
        "number": {
            "title": "Number in range 1-1000",
            "type": "number",
            "description": "Favorite number (there are no wrong answers)",
            "minimum": 0,
            "maximum": 1000,
            "default": 3.14,
        },
        "untitledSingleSelectEnum": {
            "type": "string",
            "title": "Untitled Single Select Enum",
            "description": "Choose your favorite friend",
            "enum": ["Monica", "Rachel", "Joey", "Chandler", "Ross", "Phoebe"],
            "default": "Monica",
        },
        "untitledMultipleSelectEnum": {
            "type": "array",
            "title": "Untitled Multiple Select Enum",
            "description": "Choose your favorite instruments",
            "minItems": 1,
            "maxItems": 3,
            "items": {"type": "string", "enum": ["Guitar", "Piano", "Violin", "Drums", "Bass"]},
            "default": ["Guitar"],
        },
        "titledSingleSelectEnum": {
            "type": "string",
            "title": "Titled Single Select Enum",
            "description": "Choose your favorite hero",
            "oneOf": [
                {"const": "hero-1", "title": "Superman"},
                {"const": "hero-2", "title": "Green Lantern"},
                {"const": "hero-3", "title": "Wonder Woman"},
            ],
            "default": "hero-1",
        },
        "titledMultipleSelectEnum": {
            "type": "array",
            "title": "Titled Multiple Select Enum",
            "description": "Choose your favorite types of fish",
            "minItems": 1,
            "maxItems": 3,
            "items": {
                "anyOf": [
                    {"const": "fish-1", "title": "Tuna"},
                    {"const": "fish-2", "title": "Salmon"},
                    {"const": "fish-3", "title": "Trout"},
                ]
            },
            "default": ["fish-1"],
        },
        "legacyTitledEnum": {
            "type": "string",
            "title": "Legacy Titled Single Select Enum",
            "description": "Choose your favorite type of pet",
            "enum": ["pet-1", "pet-2", "pet-3", "pet-4", "pet-5"],
            "enumNames": ["Cats", "Dogs", "Birds", "Fish", "Reptiles"],
            "default": "pet-1",
        },
    },
    "required": ["name"],
}


def _said(answered: ElicitResult) -> CallToolResult:
    said: str = answered.action
    if answered.action == "accept":
        said += " " + json.dumps(answered.content, sort_keys=True)
    return CallToolResult(content=[TextContent(text=said)])


async def ask_everything(ctx: Context) -> CallToolResult | InputRequiredResult:
    """Ask the everything server's form, then say what the answer was (its JSON)."""
    if ctx.protocol_version != "2026-07-28":
        session = ctx.request_context.session
        return _said(await session.elicit_form(MESSAGE, EVERYTHING, ctx.request_id))
    answered = (ctx.input_responses or {}).get("form")
    if isinstance(answered, ElicitResult):
        return _said(answered)
    asked = ElicitRequest(
        params=ElicitRequestFormParams(message=MESSAGE, requested_schema=EVERYTHING)
    )
    return InputRequiredResult(input_requests={"form": asked}, request_state="asked")


def register(server: MCPServer) -> None:
    server.tool()(ask_everything)
