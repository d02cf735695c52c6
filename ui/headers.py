"""Headers every answer of the app server carries, and the one Streamlit address it does not answer
(serve.py's middleware; deploy/nginx.conf sets the same in front of the replicas).

- `Content-Security-Policy: frame-ancestors 'self'` and `X-Frame-Options: SAMEORIGIN`: no other site
  can show the app inside a frame of its own page and trick a user into clicking in it;
- `X-Content-Type-Options: nosniff`: a file is used only as what the server says it is;
- `Referrer-Policy: same-origin`: an address with a unit or a record in it never leaves for another site.

`/_stcore/metrics` (Streamlit's counters of its sessions and caches) is answered 404: it is no one's
business outside the server. HSTS is the proxy's, which holds the TLS certificate.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

HEADERS = {
    "content-security-policy": "frame-ancestors 'self'",
    "x-frame-options": "SAMEORIGIN",
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
}
CLOSED = ("/_stcore/metrics",)  # under any base path


class SecurityHeaders:
    """Pure ASGI middleware (WebSockets pass through untouched): the headers added to every HTTP
    answer, replacing any of the same name, and the closed addresses answered 404."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if str(scope.get("path", "")).rstrip("/").endswith(CLOSED):
            await self._closed(send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                kept = [(k, v) for k, v in message.get("headers", []) if k.decode("latin-1").lower() not in HEADERS]
                message["headers"] = kept + [(k.encode(), v.encode()) for k, v in HEADERS.items()]
            await send(message)

        await self.app(scope, receive, with_headers)

    @staticmethod
    async def _closed(send: Send) -> None:
        headers = [(b"content-type", b"text/plain; charset=utf-8"), (b"cache-control", b"no-store")]
        headers += [(k.encode(), v.encode()) for k, v in HEADERS.items()]
        await send({"type": "http.response.start", "status": 404, "headers": headers})
        await send({"type": "http.response.body", "body": b"Not found"})
