"""The API describing itself: `/openapi.json`, `/docs` (both behind the key) and `/api/v1/health`.

`/docs` is a page drawn here from the OpenAPI schema, with nothing fetched from elsewhere: the
usual documentation pages load their scripts from a CDN, which a private, offline app does not
do. A browser asks for the key itself (a Basic prompt; the key is the password)."""

from __future__ import annotations

import html
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, JSONResponse
from pydantic import BaseModel

from chatdesk import __version__
from chatdesk.api.auth import require_key

router = APIRouter(dependencies=[Depends(require_key)])


class Health(BaseModel):
    status: str
    version: str


@router.get("/api/v1/health", tags=["meta"])
async def health() -> Health:
    """The API is up and the key is right."""
    return Health(status="ok", version=__version__)


@router.get("/openapi.json", include_in_schema=False)
async def openapi(request: Request) -> JSONResponse:
    return JSONResponse(request.app.openapi())


@router.get("/docs", include_in_schema=False)
async def docs(request: Request) -> HTMLResponse:
    return HTMLResponse(_page(request.app.openapi()))


def _page(schema: dict[str, Any]) -> str:
    rows = []
    for path, methods in schema.get("paths", {}).items():
        for method, operation in methods.items():
            summary = operation.get("summary", "")
            described = operation.get("description", "")
            rows.append(
                f"<tr><td><code>{html.escape(method.upper())}</code></td>"
                f"<td><code>{html.escape(path)}</code></td>"
                f"<td>{html.escape(summary)}<br><small>{html.escape(described)}</small></td></tr>"
            )
    title = html.escape(schema.get("info", {}).get("title", "chatdesk"))
    return (
        "<!doctype html><html><head><meta charset='utf-8'>"
        f"<title>{title}</title>"
        "<style>body{font:14px system-ui,sans-serif;margin:2em;max-width:70em}"
        "td{padding:.3em .8em;vertical-align:top;border-bottom:1px solid GrayText}"
        "small{color:GrayText}</style></head><body>"
        f"<h1>{title}</h1><p>The whole contract, with every body's schema: "
        "<a href='/openapi.json'>openapi.json</a>.</p>"
        f"<table>{''.join(rows)}</table></body></html>"
    )
