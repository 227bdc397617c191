"""What an artifact's page may do in the engine: the rules of the sandbox, as values the
engine's child applies to QtWebEngine (decision 0102 measured each against a page trying
every way out).

An artifact is served from its own host of the `artifact:` scheme, registered as a secure
scheme with CORS and nothing else: marked local, the scheme made Chromium treat the page as a
file (its own scripts refused once file access is off, and with it on, /etc/passwd read by
fetch). Every request to another scheme or host is blocked by the request interceptor, and the
Content-Security-Policy below refuses the same in the page as a second layer (it also covers
WebSocket, which the interceptor sees too). Neither reaches WebRTC: UDP is stopped by the
Chromium flag below, TCP only by the network namespace (isolation.py).
"""

from __future__ import annotations

from dataclasses import dataclass

SCHEME = "artifact"

# Sent with every file the scheme serves. Inline scripts and styles stay allowed: an artifact
# is one HTML page, often with its script inside; what it may not do is reach anything else.
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'none'",
        f"script-src {SCHEME}: 'unsafe-inline'",
        f"style-src {SCHEME}: 'unsafe-inline'",
        f"img-src {SCHEME}: data: blob:",
        f"font-src {SCHEME}: data:",
        "connect-src 'none'",
        "media-src 'none'",
        "frame-src 'none'",
        "child-src 'none'",
        "worker-src 'none'",
        "object-src 'none'",
        "manifest-src 'none'",
        "form-action 'none'",
        "base-uri 'none'",
    )
)

# QWebEngineSettings.WebAttribute members turned off for the artifact's profile, by name.
SETTINGS_OFF = (
    "JavascriptCanOpenWindows",
    "JavascriptCanAccessClipboard",
    "JavascriptCanPaste",
    "LocalContentCanAccessRemoteUrls",
    "LocalContentCanAccessFileUrls",
    "LocalStorageEnabled",
    "PluginsEnabled",
    "PdfViewerEnabled",
    "ScreenCaptureEnabled",
    "WebGLEnabled",
    "DnsPrefetchEnabled",
    "HyperlinkAuditingEnabled",
    "FullScreenSupportEnabled",
    "NavigateOnDropEnabled",
    "AutoLoadIconsForPage",
    "TouchIconsEnabled",
    "AllowWindowActivationFromJavaScript",
    "AllowRunningInsecureContent",
    "AllowGeolocationOnInsecureOrigins",
    "ErrorPageEnabled",
)
# And on: WebRTC tells the page no private address.
SETTINGS_ON = ("WebRTCPublicInterfacesOnly",)

# Chromium's switches for the engine's process: WebRTC's UDP never leaves without a proxy
# (there is none), and V8's heap is bounded (its out-of-memory ends the renderer at once,
# 0.8 s and 340 MiB measured, instead of 17 s and 3.7 GB).
CHROMIUM_FLAGS = (
    "--force-webrtc-ip-handling-policy=disable_non_proxied_udp",
    "--js-flags=--max-old-space-size=256",
)


def engine_environment(existing_flags: str, *, as_root: bool) -> dict[str, str]:
    """The variables the engine's child sets before QtWebEngine loads: its Chromium flags
    after any the user gave, and Chromium's sandbox turned off only for root, where Chromium
    refuses to start with it (CI); every other user keeps it."""
    flags = " ".join(part for part in (existing_flags.strip(), *CHROMIUM_FLAGS) if part)
    environment = {"QTWEBENGINE_CHROMIUM_FLAGS": flags}
    if as_root:
        environment["QTWEBENGINE_DISABLE_SANDBOX"] = "1"
    return environment


def request_allowed(scheme: str, host: str, artifact: str) -> bool:
    """Whether the page of `artifact` may load this: only its own files."""
    return scheme == SCHEME and host == artifact


def navigation_allowed(scheme: str, host: str, artifact: str, *, first: bool) -> bool:
    """Whether a page may navigate there: its main frame to its artifact once (`first`, the
    load chatdesk asks for), then nowhere, in any frame."""
    return first and request_allowed(scheme, host, artifact)


@dataclass(frozen=True)
class Limits:
    """How long an artifact's script may keep its page from answering, and how much memory
    its renderer may hold (typed arrays are outside V8's heap, so the flag above does not
    bound them: 4 GiB were allocated in ~7 s)."""

    seconds: float = 5.0
    memory_mb: int = 512

    def exceeded(self, busy_seconds: float, resident_bytes: int) -> str | None:
        """Which limit is passed, "time" or "memory", or None."""
        if resident_bytes > self.memory_mb * 1024 * 1024:
            return "memory"
        if busy_seconds > self.seconds:
            return "time"
        return None
