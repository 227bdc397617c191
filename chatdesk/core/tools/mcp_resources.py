"""A tool server's resources: listed (resources and resource templates, every page, kept until
the server says its list changed or its session starts again), and read into attachments.

Reading changes nothing on the server, so it goes through `McpServer.request`. What a server
sends is untrusted: its names, titles and URIs are plain text for display, and its bytes are
read by the reading child like a dropped file (`Attacher.attach_bytes`), within
`attachments.max_file_mb`. A read is bounded before anything is decoded: a resource whose listed
size is past the limit is not read at all, and a blob is measured from its base64 length
before it is decoded.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from chatdesk.core.attach.attacher import MB, NotAttached
from chatdesk.core.config import Settings
from chatdesk.core.errors import ChatdeskError, InvalidRequest
from chatdesk.core.i18n import tr
from chatdesk.core.tools.mcp_refusal import answered
from chatdesk.core.views import AttachmentInput

if TYPE_CHECKING:
    from mcp import Client

    from chatdesk.core.attach.attacher import Attacher
    from chatdesk.core.tools.mcp import McpServer

MAX_LISTED = 10_000  # resources (and templates) kept of one server's list
MAX_TEXT = 500  # characters kept of a name, a title or a MIME type
MAX_DESCRIPTION = 2_000
# RFC 6570: `{name}`, and the operators of levels 2–4 (`{+path}`, `{#frag}`, `{?a,b}` …),
# whose variables are asked for all the same.
_EXPRESSION = re.compile(r"\{([+#./;?&]?)([^{}]*)\}")
_VARIABLE = re.compile(r"[A-Za-z0-9_.%]+")


def _plain(text: object, limit: int = MAX_TEXT) -> str:
    """A server's string as one line of plain text, cut to `limit`."""
    return " ".join(str(text or "").split())[:limit]


class ResourceRefused(ChatdeskError):
    """The server would not give a resource; its own words say why."""


@dataclass(frozen=True)
class ResourceInfo:
    """A resource as its server lists it (or links to it from a tool's result); `size` in
    bytes when the server said it."""

    server: str
    uri: str
    name: str = ""
    title: str = ""
    description: str = ""
    mime: str = ""
    size: int | None = None

    @property
    def label(self) -> str:
        return self.title or self.name or self.uri


@dataclass(frozen=True)
class TemplateInfo:
    """A resource template: `uri_template` (RFC 6570) with `parameters` to fill in."""

    server: str
    uri_template: str
    name: str = ""
    title: str = ""
    description: str = ""
    mime: str = ""

    @property
    def label(self) -> str:
        return self.title or self.name or self.uri_template

    @property
    def parameters(self) -> tuple[str, ...]:
        return template_parameters(self.uri_template)

    def uri(self, values: Mapping[str, str]) -> str:
        return expand_template(self.uri_template, values)


@dataclass(frozen=True)
class Listing:
    """What one server offers to read."""

    server: str
    resources: tuple[ResourceInfo, ...] = ()
    templates: tuple[TemplateInfo, ...] = ()


@dataclass(frozen=True)
class ResourceContent:
    """One of the contents a read gave: text, or bytes (`data`)."""

    uri: str
    mime: str
    text: str | None = None
    data: bytes | None = field(default=None, repr=False)
    # A text's UTF-8 as it was measured on arrival, so that it is encoded once.
    encoded: bytes | None = field(default=None, repr=False, compare=False)

    @property
    def size(self) -> int:
        return len(self.content_bytes)

    @property
    def content_bytes(self) -> bytes:
        """The bytes an attachment of it holds: its data, or its text's UTF-8."""
        if self.data is not None:
            return self.data
        return self.encoded if self.encoded is not None else (self.text or "").encode()


def template_parameters(template: str) -> tuple[str, ...]:
    """The variables of an RFC 6570 URI template, in order, each once."""
    names: list[str] = []
    for _, variables in _EXPRESSION.findall(template):
        for variable in variables.split(","):
            name = variable.split(":")[0].rstrip("*")
            if _VARIABLE.fullmatch(name) and name not in names:
                names.append(name)
    return tuple(names)


def expand_template(template: str, values: Mapping[str, str]) -> str:
    """The URI `template` names with `values` (RFC 6570: simple `{name}` and reserved `{+name}`
    expansion; the other operators joined as the RFC says, without its prefix-length and
    explode modifiers)."""

    def expanded(match: re.Match[str]) -> str:
        operator, variables = match.group(1), match.group(2)
        names = [v.split(":")[0].rstrip("*") for v in variables.split(",")]
        given = [(n, values[n]) for n in names if values.get(n, "") != ""]
        safe = ":/?#[]@!$&'()*+,;=" if operator in ("+", "#") else ""
        if operator in ("?", "&", ";"):
            parts = [f"{n}={quote(v, safe='')}" for n, v in given]
            return (operator if given else "") + ("&" if operator != ";" else ";").join(parts)
        joined = {".": ".", "/": "/"}.get(operator, ",").join(quote(v, safe=safe) for _, v in given)
        prefix = operator if operator in ("#", ".", "/") and given else ""
        return prefix + joined

    return _EXPRESSION.sub(expanded, template)


def decoded(content: Any, limit: int) -> ResourceContent:
    """One content of a resource read (or an embedded resource), refused past `limit` bytes,
    measured before a blob is decoded."""
    uri, mime = str(content.uri), _plain(content.mime_type) or "application/octet-stream"
    name = _name_of(uri)
    text = getattr(content, "text", None)
    if isinstance(text, str):
        if len(text) > limit:  # said before any encoding
            raise NotAttached(name, _too_big(len(text), limit))
        utf8 = text.encode("utf-8", "surrogatepass")
        if len(utf8) > limit:
            raise NotAttached(name, _too_big(len(utf8), limit))
        return ResourceContent(uri, mime, text=text, encoded=utf8)
    encoded = str(getattr(content, "blob", ""))
    if len(encoded) // 4 * 3 > limit:  # said before any decoding
        raise NotAttached(name, _too_big(len(encoded) // 4 * 3, limit))
    try:
        data = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise NotAttached(name, tr("its data is not base64")) from None
    return ResourceContent(uri, mime, data=data)


def _name_of(uri: str) -> str:
    """A file name for what `uri` holds: its last path segment ("report" of doc://a/report)."""
    tail = uri.split("?")[0].split("#")[0].rstrip("/").rsplit("/", 1)[-1]
    return _plain(tail, 200) or _plain(uri, 200) or tr("resource")


def _too_big(size: int, limit: int) -> str:
    return tr(
        "it is {size} MB and resources up to {limit} MB can be attached "
        "(setting attachments.max_file_mb)",
        size=f"{size / MB:.1f}",
        limit=f"{limit / MB:g}",
    )


class Resources:
    """The resources of the configured servers (`service.tools.resources`)."""

    def __init__(
        self,
        source: Callable[[str], McpServer],
        startable: Callable[[str], bool],
        names: Callable[[], list[str]],
        settings: Callable[[], Settings],
    ) -> None:
        self._source = source
        self._startable = startable
        self._names = names
        self._settings = settings
        self._listed: dict[str, Listing] = {}
        # Set by the composition root: where a read resource becomes an attachment.
        self.attacher: Attacher | None = None

    def servers(self) -> list[str]:
        """The servers that may be started, and so asked for their resources."""
        return [name for name in self._names() if self._startable(name)]

    async def listing(self, server: str) -> Listing:
        """`server`'s resources and templates (all pages; kept until its list changes)."""
        source = self._checked(server)
        if source.resources_changed.is_set():
            source.resources_changed.clear()
            self._listed.pop(server, None)
        known = self._listed.get(server)
        if known is None:

            async def ask(client: Client) -> tuple[list[Any], list[Any]]:
                source.resources_changed.clear()  # a change told from now on lists again
                return await _listed(client)

            resources, templates = await source.request(ask)
            known = Listing(
                server,
                tuple(_resource(server, r) for r in resources),
                tuple(_template(server, t) for t in templates),
            )
            self._listed[server] = known
        return known

    def known(self, server: str) -> Listing | None:
        """What `server` listed last, asking nothing."""
        return self._listed.get(server)

    async def read(self, server: str, uri: str) -> tuple[ResourceContent, ...]:
        """The contents of `uri` on `server`, each within `attachments.max_file_mb`; a resource
        listed larger than that is refused without being read."""
        source = self._checked(server)
        limit = int(self._settings().attachments.max_file_mb * MB)
        listed = self._listed.get(server)
        for resource in listed.resources if listed is not None else ():
            if resource.uri == uri and resource.size is not None and resource.size > limit:
                raise NotAttached(resource.label, _too_big(resource.size, limit))

        async def ask(client: Client) -> list[Any]:
            asked = client.read_resource(uri, cache_mode="bypass")
            return list((await answered(asked, uri, ResourceRefused)).contents)

        contents = await source.request(ask)
        if not contents:
            raise InvalidRequest(tr("{server} gave nothing for {uri}", server=server, uri=uri))
        return tuple(decoded(content, limit) for content in contents)

    async def attach(self, server: str, uri: str, name: str = "") -> list[AttachmentInput]:
        """`uri` read from `server` as attachments (one per content it gave), each read like a
        dropped file and marked with where it came from; `name`: what the user chose it as."""
        return [
            await self.attach_content(server, content, name)
            for content in await self.read(server, uri)
        ]

    async def attach_content(
        self, server: str, content: ResourceContent, name: str = ""
    ) -> AttachmentInput:
        """One content (read, or embedded in a tool's result) as an attachment, called by its
        address's file name, or by `name` when the address has none ("3" of …/blob/3)."""
        if self.attacher is None:
            raise InvalidRequest(tr("resources cannot be attached here"))
        tail = _name_of(content.uri)
        called = tail if "." in tail or not name.strip() else _plain(name, 200)
        made = await self.attacher.attach_bytes(called, content.content_bytes)
        return replace(made, origin_server=server, origin_uri=content.uri)

    def _checked(self, server: str) -> McpServer:
        source = self._source(server)  # NotFound for a server that is not set up
        if not self._startable(server):
            raise InvalidRequest(tr("{name} is switched off or not allowed yet", name=server))
        return source


async def _listed(client: Client) -> tuple[list[Any], list[Any]]:
    """Every page of the server's resources and templates (a server that has none of either
    answers "method not found", which is an empty list)."""
    from mcp.shared.exceptions import MCPError
    from mcp_types.jsonrpc import METHOD_NOT_FOUND

    found: tuple[list[Any], list[Any]] = ([], [])
    for kept, ask, key in (
        (found[0], client.list_resources, "resources"),
        (found[1], client.list_resource_templates, "resource_templates"),
    ):
        cursor: str | None = None
        try:
            while len(kept) < MAX_LISTED:
                page = await ask(cursor=cursor, cache_mode="refresh")
                kept += getattr(page, key)[: MAX_LISTED - len(kept)]
                cursor = page.next_cursor
                if not cursor:
                    break
        except MCPError as error:
            if error.code != METHOD_NOT_FOUND:
                raise
    return found


def _resource(server: str, given: Any) -> ResourceInfo:
    size = given.size if isinstance(given.size, int) and given.size >= 0 else None
    return ResourceInfo(
        server,
        str(given.uri),
        _plain(given.name),
        _plain(given.title),
        _plain(given.description, MAX_DESCRIPTION),
        _plain(given.mime_type),
        size,
    )


def _template(server: str, given: Any) -> TemplateInfo:
    return TemplateInfo(
        server,
        str(given.uri_template),
        _plain(given.name),
        _plain(given.title),
        _plain(given.description, MAX_DESCRIPTION),
        _plain(given.mime_type),
    )
