"""Opaque, stable cursors: the sort key and the node id, so pages never skip or repeat a node.

Why the sort key and not an offset: an offset cursor shifts when nodes are added; `(sortValue, id)` resumes
exactly after the last node seen, with `id` breaking ties between equal sort values.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from resolvers.errors import BadCursorError

PREFIX = "c1:"


def encode_cursor(sort_field: str, sort_value: Any, node_id: str) -> str:
    payload = json.dumps([sort_field, sort_value, node_id], separators=(",", ":"), ensure_ascii=False)
    return base64.urlsafe_b64encode((PREFIX + payload).encode()).decode()


def decode_cursor(cursor: str, sort_field: str) -> tuple[Any, str]:
    """`(sortValue, id)` from a cursor made for the same sort field; anything else is a `BadCursorError`."""
    try:
        text = base64.urlsafe_b64decode(cursor.encode()).decode()
        if not text.startswith(PREFIX):
            raise ValueError("no prefix")
        field, value, node_id = json.loads(text[len(PREFIX):])
    except (ValueError, binascii.Error, UnicodeDecodeError, TypeError) as exc:
        raise BadCursorError(f"after: {cursor!r} is not a cursor this API returned") from exc
    if field != sort_field or not isinstance(node_id, str):
        raise BadCursorError(f"after: the cursor was made for sorting by {field!r}, not {sort_field!r}")
    return value, node_id
