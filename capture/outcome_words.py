"""A decision in one plain sentence, for the records that keep it as text.

Used where the words are stored or filed with the photo (a desk pairing's
detail, a drop-folder sidecar's "why"), so every record says a decision the
same way: "queued SF1234567890123 for order 4012...", "review SF123...
(ambiguous_order: two open orders ...)", or an error's own reason.
"""

from __future__ import annotations

from capture.types import Outcome, Status


def in_words(outcome: Outcome) -> str:
    if outcome.status is Status.ERROR:
        return outcome.detail
    said = [outcome.status.value]
    if outcome.candidate:
        said.append(outcome.candidate.number)
    if outcome.orders:
        said.append(f"for order {', '.join(o.tid for o in outcome.orders)}")
    if outcome.reasons:
        reasons = ", ".join(str(r) for r in outcome.reasons)
        said.append(f"({reasons}: {outcome.detail})" if outcome.detail else f"({reasons})")
    return " ".join(said)
