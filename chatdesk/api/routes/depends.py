"""What the `/api/v1` routes take from the app: the core's chat service."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from chatdesk.api.surface import core_of
from chatdesk.core.service import ChatService


def _service(request: Request) -> ChatService:
    return core_of(request).service


Service = Annotated[ChatService, Depends(_service)]
