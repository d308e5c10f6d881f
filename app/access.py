"""Access control for the HTTP API: bearer tokens with roles, per-token rate limits, and the bind-address rule.

Pure ASGI, in front of the response cache: with no tokens configured the API is open (as before, for a
loopback-only server) and every request has the `admin` role; with tokens, `/graphql` needs
`Authorization: Bearer <token>` (401 otherwise), each token is held to its requests per minute (429 with
`Retry-After`), and the token's role is put in the request's scope state for `schema/access.py` (which keeps
the `network` fields for `admin`) and for the response cache (which keeps roles apart). `/health` and
`/ready` stay open for probes. The Host-header allow-list and CORS are Starlette's own middleware
(`create_app`). docs/security.md has the threat model.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import time
from dataclasses import dataclass

from starlette.types import ASGIApp, Receive, Scope, Send

from app.tokens import TokenRecord, TokenStore

logger = logging.getLogger("cbsi_graph.access")
ROLE_STATE = "cbsi_role"  # key in the ASGI scope's `state`: the request's role
OPEN_ROLE = "admin"  # the role of every request when no tokens are configured


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def bind_refusal(host: str, tokens_configured: bool, insecure: bool) -> str | None:
    """Why `serve` must not bind `host`, or None when it may."""
    if is_loopback(host) or tokens_configured or insecure:
        return None
    return (f"refusing to serve on {host}: that address is reachable from other machines and no bearer tokens "
            "are configured, so anyone who can reach it could run any query. Create a token first "
            "(`cbsi-graph token create NAME`), or pass --insecure if the network itself is trusted "
            "(and set CBSI_ALLOWED_HOSTS to the names clients use).")


@dataclass
class Bucket:
    tokens: float
    updated: float


class RateLimits:
    """A token bucket per bearer token: `per_minute` requests, refilled continuously, bursts up to the same."""

    def __init__(self) -> None:
        self.buckets: dict[str, Bucket] = {}

    def retry_after(self, name: str, per_minute: int, now: float | None = None) -> float:
        """0 when the request may go ahead (and is counted), else seconds until it may."""
        now = time.monotonic() if now is None else now
        bucket = self.buckets.get(name)
        if bucket is None:
            bucket = self.buckets[name] = Bucket(float(per_minute), now)
        bucket.tokens = min(float(per_minute), bucket.tokens + (now - bucket.updated) * per_minute / 60.0)
        bucket.updated = now
        if bucket.tokens >= 1.0:
            bucket.tokens -= 1.0
            return 0.0
        return (1.0 - bucket.tokens) * 60.0 / per_minute


def _bearer(scope: Scope) -> str | None:
    for name, value in scope["headers"]:
        if name == b"authorization":
            scheme, _, credentials = value.decode("latin-1").partition(" ")
            return credentials.strip() if scheme.lower() == "bearer" and credentials.strip() else None
    return None


class AccessControl:
    """Authenticate `/graphql` requests with bearer tokens when any are configured; rate-limit each token."""

    def __init__(self, app: ASGIApp, store: TokenStore, default_rate: int, path: str = "/graphql") -> None:
        self.app = app
        self.store = store
        self.default_rate = default_rate
        self.path = path
        self.limits = RateLimits()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != self.path:
            await self.app(scope, receive, send)
            return
        role = OPEN_ROLE
        if self.store.configured():
            token = _bearer(scope)
            record = self.store.find(token) if token else None
            if record is None:
                why = "unknown or revoked bearer token" if token else "this server needs a bearer token"
                await self.refuse(scope, send, 401, "UNAUTHENTICATED",
                                  f"{why}: send `Authorization: Bearer <token>` (`cbsi-graph token create`).",
                                  [(b"www-authenticate", b'Bearer realm="cbsi-graph"')])
                return
            wait = self.limits.retry_after(record.name, record.rate_limit or self.default_rate)
            if wait > 0:
                await self.refuse(scope, send, 429, "RATE_LIMITED", self._rate_message(record, wait),
                                  [(b"retry-after", str(max(1, round(wait))).encode())])
                return
            role = record.role
        scope.setdefault("state", {})[ROLE_STATE] = role
        await self.app(scope, receive, send)

    def _rate_message(self, record: TokenRecord, wait: float) -> str:
        return (f"token {record.name!r} is over its rate limit of {record.rate_limit or self.default_rate} "
                f"requests per minute; retry in {wait:.1f} s.")

    async def refuse(self, scope: Scope, send: Send, status: int, code: str, message: str,
                     headers: list[tuple[bytes, bytes]]) -> None:
        client = scope.get("client") or ("?", 0)
        logger.warning("refused %s %s from %s: %d %s", scope["method"], scope["path"], client[0], status, code)
        body = json.dumps({"errors": [{"message": message, "extensions": {"code": code}}]}).encode()
        await send({"type": "http.response.start", "status": status, "headers": [
            (b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()), *headers]})
        await send({"type": "http.response.body", "body": body})
