"""The API's routes, one module per resource, each an `APIRouter` behind the key."""

from __future__ import annotations

from fastapi import APIRouter


def routers() -> list[APIRouter]:
    from chatdesk.api.routes import (
        assistants,
        messages,
        meta,
        openai,
        projects,
        search,
        sockets,
        summaries,
        threads,
        usage,
    )

    rest = [threads.router, messages.router, summaries.router, search.router, assistants.router]
    # The OpenAI-compatible routes first: what other programs call most, matched in order.
    routes = [openai.router, meta.router, sockets.router, sockets.plain, *rest, projects.router]
    return [*routes, usage.router]
