"""Every spelling of a secret that a message may carry: what redaction must look for besides the value.

A marketplace error or a gateway page that quotes the request back spells
the session URL-encoded (SESS%2BCANARY%2F456%3D), a JSON body escapes it, a
Basic authorization header base64-encodes it with the user name in front.
Only the plain value used to be masked, so these reached stdout, stderr
and upload_jobs.last_error.
"""

from __future__ import annotations

import base64
import json
from urllib.parse import quote, quote_plus

# A base64 run shorter than this could match by chance inside other text.
MIN_BASE64_CHARS = 8
BASE64_GROUP_BYTES, BASE64_GROUP_CHARS = 3, 4


def spellings(value: str) -> set[str]:
    """The value as itself, URL-encoded (either hex case, + or %20 for spaces), JSON-escaped, base64-encoded."""
    percent = {quote(value, safe=""), quote(value), quote_plus(value)}
    forms = {value} | percent | {p.lower() for p in percent} | _json_escaped(value)
    raw = value.encode("utf-8")
    for aligned in _base64_runs(raw):
        forms |= {aligned, aligned.replace("+", "-").replace("/", "_")}
    return forms


def _json_escaped(value: str) -> set[str]:
    inner = json.dumps(value)[1:-1]  # ASCII-escaped, as most servers send it
    return {inner, inner.replace("/", "\\/"), json.dumps(value, ensure_ascii=False)[1:-1]}


def _base64_runs(raw: bytes) -> set[str]:
    """The characters of a base64 encoding that depend on the secret's bytes alone, at each alignment.

    Encoded by itself the whole encoding (padding too) is the secret's; after
    a prefix ("user:" in Basic auth) it starts 1 or 2 bytes into a group, so
    the groups it shares with its neighbours are left out and the rest is
    the same whatever the neighbours are.
    """
    runs = {base64.b64encode(raw).decode("ascii")}
    for offset in range(BASE64_GROUP_BYTES):
        total = offset + len(raw)
        encoded = base64.b64encode(bytes(offset) + raw).decode("ascii")
        start = BASE64_GROUP_CHARS if offset else 0
        runs.add(encoded[start : (total // BASE64_GROUP_BYTES) * BASE64_GROUP_CHARS])
    return {run for run in runs if len(run) >= MIN_BASE64_CHARS}
