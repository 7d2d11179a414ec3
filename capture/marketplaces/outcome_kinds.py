"""What a marketplace's error means for a job; each marketplace's errors module sorts its codes into these."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Meaning(StrEnum):
    RATE_LIMITED = "rate_limited"
    TRANSIENT = "transient"
    ALREADY_SHIPPED = "already_shipped"
    CREDENTIALS = "credentials"
    PERMANENT = "permanent"


@dataclass(frozen=True)
class Classified:
    meaning: Meaning
    ban_s: float | None = None  # the wait the platform stated, for rate limits
