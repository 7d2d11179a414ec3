"""Changing a number already sent (`waybill queue resend`, the supervisor page): checks, marketplace, trail.

The new number goes through the checks a scanned one does: a carrier's
format (or the carrier named), the shop's carriers, and not on another
order.  Then the marketplace is asked to change it (Taobao:
taobao.logistics.consign.resend; see upload/taobao_packages.py); only
when it says yes do the job and the order take the new number.  Every
attempt, done or refused, is on the audit trail with who and why.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from capture.api.runtime import database
from capture.api.uploading import make_connector
from capture.errors import QueueActionError, ResendError, SettingsError
from capture.pipeline import carriers, checks
from capture.pipeline.run import match_policy
from capture.review import typed_number
from capture.settings import Settings
from capture.store import audit, repo, resends
from capture.store.audit import Action, AuditRecord
from capture.store.db import session_scope
from capture.store.tables import JobStatus, utcnow
from capture.types import Reason, Status
from capture.upload.connector import Delivered, Misconfigured, Refused, SendOutcome, Shipment
from capture.upload.taobao_packages import BACK_OFFICE

REASON_CHARS = 500


@dataclass(frozen=True)
class ResendDone:
    job_id: int
    order_tid: str
    old_waybill: str
    waybill: str
    carrier: str
    note: str  # the marketplace's, e.g. "already on the order"


def _number(waybill: str, carrier: str | None) -> tuple[str, str]:
    if not carrier:
        return typed_number(waybill)
    number, known = carriers.canonical(waybill), carriers.BY_CODE.get(carrier.strip().upper())
    if known is None:
        raise ResendError(
            f"{carrier} is not a carrier code we know", f"use one of {', '.join(sorted(carriers.BY_CODE))}"
        )
    if not known.accepts(number):
        raise ResendError(f"{number} is not a {known.name} ({known.code}) number", "check it against the label")
    return number, known.code


def _back_office(settings: Settings, shop: str) -> str:
    try:
        marketplace = settings.shop(shop).marketplace
    except SettingsError:  # a shop no longer configured: its send said what to set
        marketplace = ""
    if marketplace == "taobao":
        return BACK_OFFICE
    return "change it in that marketplace's seller back office (拼多多商家后台, 抖店), where it allows"


def _sent_job(settings: Settings, job_id: int) -> resends.JobRow:
    with session_scope(database(settings)) as session:
        found = resends.job(session, job_id)
    if found is None:
        raise QueueActionError(f"there is no job {job_id}", "`waybill queue list` shows the jobs")
    if found.status != JobStatus.SENT.value:
        raise QueueActionError(
            f"job {job_id} is {found.status}, not sent: there is no number on the marketplace to change",
            f"take it off the queue (`waybill queue cancel {job_id}`) and scan or review the right label",
        )
    return found


def _refusal(settings: Settings, job: resends.JobRow, number: str, carrier: str) -> checks.Refusal | None:
    if number == job.waybill:
        return checks.Refusal(Status.REJECTED, Reason.ALREADY_QUEUED, f"job {job.id} already has {number}")
    policy = match_policy(settings)
    with session_scope(database(settings)) as session:
        lookup = repo.SqlOrderLookup(session)
        order = lookup.by_tid(job.order_tid)
        merged = tuple(lookup.shipment_siblings(job.waybill, job.order_tid))
        return checks.waybill_elsewhere(number, (job.order_tid, *merged), lookup) or checks.carrier_fits(
            carrier, (order,) if order else (), policy.shop_carriers, policy.carriers_by_shop
        )


def _trail(settings: Settings, job: resends.JobRow, action: Action, record: tuple[str, str, str, str], by: str) -> None:
    number, carrier, status, detail = record
    with session_scope(database(settings)) as session:
        audit.record(
            session,
            AuditRecord(
                audit.person_actor(by),
                action,
                status,
                scan_id=job.scan_id,
                waybill=number,
                carrier=carrier,
                order_tids=(job.order_tid,),
                detail=detail,
                evidence={"job": job.id, "old_waybill": job.waybill, "new_waybill": number, "at": utcnow().isoformat()},
            ),
        )


def resend_job(
    settings: Settings,
    job_id: int,
    waybill: str,
    reason: str,
    by: str,
    carrier: str | None = None,
    env: Mapping[str, str] | None = None,
) -> ResendDone:
    """Change sent job `job_id`'s number to `waybill` on the marketplace; raises ResendError when it cannot."""
    reason = reason.strip()[:REASON_CHARS]
    if not reason:
        raise ResendError("a changed number needs a reason, for the audit trail", '--reason "label was reprinted"')
    job = _sent_job(settings, job_id)
    number, carrier_code = _number(waybill, carrier)
    refusal = _refusal(settings, job, number, carrier_code)
    if refusal is not None:
        _trail(
            settings, job, Action.RESEND_REFUSED, (number, carrier_code, "rejected", f"{reason}: {refusal.detail}"), by
        )
        raise ResendError(f"{number} is not taken: {refusal.detail}", "check the number against the new label")
    shipment = Shipment(job.id, job.order_tid, number, carrier_code, utcnow(), job.shop, job.parcel)
    connector = make_connector(settings, env=env, shops=(job.shop,))
    change = getattr(connector, "change_number", None)
    outcome: SendOutcome = (
        change(shipment, job.waybill) if change else Refused("this connector cannot change a sent number")
    )
    if not isinstance(outcome, Delivered):
        message = outcome.reason
        _trail(settings, job, Action.RESEND_REFUSED, (number, carrier_code, "refused", f"{reason}: {message}"), by)
        hint = outcome.hint if isinstance(outcome, Misconfigured) else _back_office(settings, job.shop)
        raise ResendError(f"the marketplace did not change order {job.order_tid} to {number}: {message}", hint)
    with session_scope(database(settings)) as session:
        changed = resends.record_change(session, job.id, job.waybill, number, carrier_code, outcome.response_id)
        if changed:
            audit.record(
                session,
                AuditRecord(
                    audit.person_actor(by),
                    Action.RESEND,
                    JobStatus.SENT.value,
                    scan_id=job.scan_id,
                    waybill=number,
                    carrier=carrier_code,
                    order_tids=(job.order_tid,),
                    detail=f"{job.waybill} -> {number}: {reason}",
                    evidence={"job": job.id, "old_waybill": job.waybill, "new_waybill": number},
                ),
            )
    if not changed:
        raise ResendError(
            f"the marketplace has {number} on order {job.order_tid} now, but job {job.id} changed meanwhile",
            "`waybill queue list` and `waybill history` show where it is",
        )
    return ResendDone(job.id, job.order_tid, job.waybill, number, carrier_code, outcome.note)
