"""OCR text as the extract stage compares it: one form for every way a label prints the same thing."""

from __future__ import annotations

import re
import unicodedata


def normalize(text: str) -> str:
    """Full-width to half-width, upper case, one space between words."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text)).strip().upper()
