"""redact() finds a secret URL-encoded, JSON-escaped and base64-encoded, even inside a Basic auth header."""

from __future__ import annotations

import base64
from urllib.parse import quote

from capture.upload.credentials import Secret, redact

SECRET = "SESS+CANARY/456=tail"


def test_a_secret_inside_a_basic_authorization_header_is_masked() -> None:
    for user in ("u", "us", "use"):  # each base64 alignment
        header = "Authorization: Basic " + base64.b64encode(f"{user}:{SECRET}".encode()).decode()
        masked = redact(header, [Secret(SECRET)])
        assert "***" in masked
        tail = masked.split("***")[-1]
        assert len(tail) <= 4, masked  # at most the group it shares with what follows


def test_url_encoded_and_escaped_forms_are_masked() -> None:
    text = f"q={quote(SECRET, safe='')}&r={quote(SECRET, safe='').lower()} body={SECRET.replace('/', chr(92) + '/')}"
    assert redact(text, [Secret(SECRET)]) == "q=***&r=*** body=***"
