"""Bearer tokens for the HTTP API: created and revoked with `cbsi-graph token`, stored hashed.

Why hashed: the file is read by the server and may be copied around with the data folder; a SHA-256 of a
256-bit random token cannot be turned back into the token, and a random token needs no salt or slow hash
(there is nothing to guess). The token itself is printed once, at creation, and never stored or logged.

The file (`CBSI_TOKENS_FILE`, default `<CBSI_DATA_DIR>/tokens.json`, mode 0600) holds, per token: its name,
role (`reader`, or `admin` for the costly `network` fields), its own rate limit (requests per minute; 0: the
server's `CBSI_RATE_LIMIT`) and when it was created. The server reads the file when it changes, so a revoked
token stops working without a restart.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import time
from dataclasses import asdict, dataclass
from pathlib import Path

ROLES = ("reader", "admin")
PREFIX = "cbsi_"


@dataclass(frozen=True)
class TokenRecord:
    name: str
    role: str
    sha256: str
    created: str
    rate_limit: int = 0  # requests per minute; 0: the server's default


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogateescape")).hexdigest()


class TokenStore:
    """The tokens file: read on demand (cached until its modification time changes), written atomically."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._stamp: tuple[int, int] | None = None
        self._records: list[TokenRecord] = []

    def records(self) -> list[TokenRecord]:
        try:
            stat = self.path.stat()
        except FileNotFoundError:
            self._stamp, self._records = None, []
            return []
        stamp = (stat.st_mtime_ns, stat.st_size)
        if stamp != self._stamp:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            self._records = [TokenRecord(**entry) for entry in data.get("tokens", [])]
            self._stamp = stamp
        return list(self._records)

    def configured(self) -> bool:
        return bool(self.records())

    def find(self, token: str) -> TokenRecord | None:
        """The record of a presented token (compared in constant time), or None."""
        wanted = digest(token)
        found = None
        for record in self.records():
            if hmac.compare_digest(record.sha256, wanted):
                found = record
        return found

    def create(self, name: str, role: str, rate_limit: int = 0) -> str:
        """Add a token and return it (the only time it is seen)."""
        if role not in ROLES:
            raise ValueError(f"role must be one of {', '.join(ROLES)}, not {role!r}")
        if not name or len(name) > 64 or not name.replace("-", "").replace("_", "").replace(".", "").isalnum():
            raise ValueError("a token name has 1-64 letters, digits, '-', '_' or '.'")
        if rate_limit < 0:
            raise ValueError("rate limit must be 0 (the server's default) or more requests per minute")
        records = self.records()
        if any(record.name == name for record in records):
            raise ValueError(f"a token named {name!r} exists; revoke it first")
        token = PREFIX + secrets.token_urlsafe(32)
        created = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        self._write([*records, TokenRecord(name, role, digest(token), created, rate_limit)])
        return token

    def revoke(self, name: str) -> bool:
        records = self.records()
        kept = [record for record in records if record.name != name]
        if len(kept) == len(records):
            return False
        self._write(kept)
        return True

    def _write(self, records: list[TokenRecord]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_suffix(".tmp")
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as out:
            json.dump({"tokens": [asdict(record) for record in records]}, out, indent=2)
        os.replace(temporary, self.path)
        self._stamp = None
