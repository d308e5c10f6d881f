"""`cbsi-graph token create|revoke|list`: bearer tokens for the HTTP API (see `app/tokens.py`, docs/security.md)."""

from __future__ import annotations

import argparse
from typing import Any

from app.settings import Settings
from app.tokens import ROLES, TokenStore


def token_store(settings: Settings) -> TokenStore:
    return TokenStore(settings.tokens_path)


def _cmd_token(args: argparse.Namespace, settings: Settings) -> int:
    store = token_store(settings)
    if args.action == "create":
        if not args.name:
            raise ValueError("token create needs a name")
        token = store.create(args.name, args.role, args.rate_limit)
        print(f"Token {args.name!r} ({args.role}) created; it is shown only now, store it safely:")
        print(token)
    elif args.action == "revoke":
        if not args.name:
            raise ValueError("token revoke needs a name")
        if not store.revoke(args.name):
            raise ValueError(f"no token named {args.name!r}")
        print(f"Token {args.name!r} revoked.")
    else:
        records = store.records()
        if not records:
            print(f"No tokens in {store.path}: the API is open to whoever can reach it.")
        for record in records:
            limit = f"{record.rate_limit}/min" if record.rate_limit else "default rate"
            print(f"{record.name:24} {record.role:7} {limit:14} created {record.created}")
    return 0


def add_parser(commands: Any) -> None:
    token = commands.add_parser("token", help="create, revoke or list bearer tokens for the HTTP API")
    token.add_argument("action", choices=["create", "revoke", "list"])
    token.add_argument("name", nargs="?", help="the token's name (create, revoke)")
    token.add_argument("--role", choices=ROLES, default="reader", help="reader, or admin for the network fields")
    token.add_argument("--rate-limit", type=int, default=0,
                       help="requests per minute for this token (default: CBSI_RATE_LIMIT)")
    token.set_defaults(handler=_cmd_token)
