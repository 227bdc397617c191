"""The API's routes, one module per resource, each an `APIRouter` behind the key."""

from __future__ import annotations

from fastapi import APIRouter


def routers() -> list[APIRouter]:
    from chatdesk.api.routes import meta, sockets

    return [meta.router, sockets.router]
