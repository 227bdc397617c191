"""The local API's ASGI app: its routes behind the key, the guard in front of them."""

from __future__ import annotations

from fastapi import FastAPI
from starlette.middleware.cors import CORSMiddleware

from chatdesk import __version__
from chatdesk.api import errors
from chatdesk.api.auth import Gate, KeySource, RateLimit
from chatdesk.api.described import described
from chatdesk.api.fast_path import FastCompletions
from chatdesk.api.guard import Guard
from chatdesk.api.options import ApiOptions
from chatdesk.api.routes import routers
from chatdesk.api.surface import ApiCore


def make_app(core: ApiCore, options: ApiOptions, key: KeySource) -> FastAPI:
    """`key` is asked on every request, so a rotated key takes effect at once."""
    app = FastAPI(
        title="chatdesk local API",
        version=__version__,
        openapi_url=None,  # served behind the key by routes/meta.py
        docs_url=None,
        redoc_url=None,
    )
    app.state.core = core
    app.state.options = options
    app.state.gate = Gate(key, RateLimit(options.rate_limit), options.loopback_counted)
    errors.install(app)
    for router in routers():
        app.include_router(router)
    if options.origins:  # CORS stays off unless the user listed origins
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(options.origins),
            allow_methods=["GET", "POST", "PATCH", "DELETE"],
            allow_headers=["authorization", "x-api-key", "content-type", "x-chatdesk-thread"],
            expose_headers=["x-chatdesk-thread"],
        )
    app.add_middleware(FastCompletions)  # behind the guard, before CORS and FastAPI's routing
    app.add_middleware(Guard, options=options)  # added last: the first to see a request
    app.openapi = lambda: described(app)  # type: ignore[method-assign]
    return app
