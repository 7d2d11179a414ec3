"""The supervisor's API: review items and their photos, the upload queue, orders, history (role supervisor+)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import FileResponse, JSONResponse
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from capture import api, views
from capture.accounts import Permission
from capture.api import desk
from capture.api.orders import search_orders
from capture.errors import QueueActionError, ResendError
from capture.review import Choice, Resolution
from capture.web import shapes
from capture.web.auth import Caller, allowed

router = APIRouter()
Supervisor = Annotated[Caller, Depends(allowed(Permission.REVIEW))]
NOTE_CHARS = 500


class Accept(BaseModel):
    orders: list[str] = Field(default_factory=list, max_length=20)
    waybill: str | None = Field(default=None, max_length=64)
    note: str = Field(default="", max_length=NOTE_CHARS)
    another_parcel: bool = False  # a further parcel of an order that already has a number


class Correct(BaseModel):
    waybill: str = Field(min_length=1, max_length=64)
    order: str | None = Field(default=None, max_length=32)
    note: str = Field(default="", max_length=NOTE_CHARS)
    another_parcel: bool = False


class Reject(BaseModel):
    note: str = Field(default="", max_length=NOTE_CHARS)


class Resend(BaseModel):
    waybill: str = Field(min_length=1, max_length=64)
    carrier: str | None = Field(default=None, max_length=16)
    reason: str = Field(min_length=1, max_length=NOTE_CHARS)


# What the supervisor does when the marketplace will not change a sent number.
RESEND_BACK_OFFICE_ZH = (
    "请在千牛卖家中心 > 交易 > 已卖出的宝贝 > 该订单 > 修改物流信息 中修改；"
    "若已超过可修改时间或不是自己联系物流的发货，请联系淘宝客服"
)

OTHER_BACK_OFFICE_ZH = "请在该平台的商家后台（拼多多商家后台、抖店）修改运单号"


class JobIds(BaseModel):
    ids: list[int] = Field(min_length=1, max_length=500)


@router.get("/api/review")
async def review_list(request: Request, _who: Supervisor) -> list[dict[str, Any]]:
    entries = await run_in_threadpool(api.review_entries, request.app.state.settings)
    return [shapes.review_body(e) for e in entries]


async def _resolve(request: Request, who: Caller, item_id: int, resolution: Resolution) -> JSONResponse:
    settings = request.app.state.settings
    scan_id = await run_in_threadpool(desk.review_scan_id, item_id, settings)
    done = await run_in_threadpool(api.resolve_review, item_id, resolution, settings, who.identity.name)
    body = shapes.resolved_body(done, scan_id, who.identity.name)
    if done.refusal is not None:
        # The checks before queueing said no: the item stays open, nothing was queued.
        return JSONResponse(body, status_code=409)
    request.app.state.events.publish("resolved", None, body)
    return JSONResponse(body)


@router.post("/api/review/{item_id}/accept")
async def accept(item_id: int, choice: Accept, request: Request, who: Supervisor) -> JSONResponse:
    resolution = Resolution(Choice.ACCEPT, tuple(choice.orders), choice.waybill, choice.note, choice.another_parcel)
    return await _resolve(request, who, item_id, resolution)


@router.post("/api/review/{item_id}/correct")
async def correct(item_id: int, choice: Correct, request: Request, who: Supervisor) -> JSONResponse:
    orders = (choice.order,) if choice.order else ()
    resolution = Resolution(Choice.CORRECT, orders, choice.waybill, choice.note, choice.another_parcel)
    return await _resolve(request, who, item_id, resolution)


@router.post("/api/review/{item_id}/reject")
async def reject(item_id: int, choice: Reject, request: Request, who: Supervisor) -> JSONResponse:
    return await _resolve(request, who, item_id, Resolution(Choice.REJECT, note=choice.note))


@router.get("/api/scans/{scan_id}/photo")
async def scan_photo(scan_id: int, request: Request, _who: Supervisor) -> FileResponse:
    path = await run_in_threadpool(desk.scan_photo_path, scan_id, request.app.state.settings)
    if path is None:
        raise HTTPException(404, f"scan {scan_id} has no photo on this server (a gun read, or the file was moved)")
    return FileResponse(path, headers={"Cache-Control": "private, max-age=3600"})


@router.get("/api/queue")
async def queue(
    request: Request, _who: Supervisor, status: Annotated[list[str] | None, Query()] = None
) -> list[dict[str, Any]]:
    jobs = await run_in_threadpool(api.list_jobs, request.app.state.settings, tuple(status or ()))
    return [views.queue_entry_json(j) for j in jobs]


@router.post("/api/queue/retry")
async def queue_retry(ids: JobIds, request: Request, _who: Supervisor) -> dict[str, Any]:
    change = await run_in_threadpool(api.retry_jobs, request.app.state.settings, ids.ids)
    return {"changed": change.changed, "refused": change.refused, "unknown": change.unknown}


@router.post("/api/queue/cancel")
async def queue_cancel(ids: JobIds, request: Request, _who: Supervisor) -> dict[str, Any]:
    change = await run_in_threadpool(api.cancel_jobs, request.app.state.settings, ids.ids)
    return {"changed": change.changed, "refused": change.refused, "unknown": change.unknown}


@router.post("/api/queue/{job_id}/resend")
async def queue_resend(job_id: int, change: Resend, request: Request, who: Supervisor) -> JSONResponse:
    """Change a sent job's number on the marketplace; a refusal says (in zh-CN) what to do in the back office."""
    settings = request.app.state.settings
    try:
        done = await run_in_threadpool(
            api.resend_job, settings, job_id, change.waybill, change.reason, who.identity.name, change.carrier
        )
    except (ResendError, QueueActionError) as exc:
        body = {"error": exc.message, "hint": exc.hint, "message_zh": f"未能修改运单号：{exc.message}"}
        if isinstance(exc, ResendError):
            body["hint_zh"] = RESEND_BACK_OFFICE_ZH if "千牛" in exc.hint else OTHER_BACK_OFFICE_ZH
        return JSONResponse(body, status_code=409)
    return JSONResponse(
        {"job": done.job_id, "order": done.order_tid, "old_waybill": done.old_waybill, "waybill": done.waybill}
    )


@router.get("/api/orders")
async def orders(request: Request, _who: Supervisor, q: Annotated[str, Query(max_length=64)] = "") -> list[Any]:
    found = await run_in_threadpool(search_orders, q, request.app.state.settings)
    return [shapes.parcel(o) for o in found]


@router.get("/api/history/{key}")
async def history(key: str, request: Request, _who: Supervisor) -> dict[str, Any]:
    found = await run_in_threadpool(api.history, key, request.app.state.settings)
    decisions = []
    for entry in found.decisions:
        body = views.history_entry_json(entry)
        body.pop("evidence", None)  # file paths and raw reads: the photo link says what a person needs
        body["photo_url"] = f"/api/scans/{entry.scan_id}/photo" if entry.scan_id else None
        decisions.append(body)
    return {"key": found.key, "decisions": decisions, "jobs": [views.queue_entry_json(j) for j in found.jobs]}


@router.get("/api/carrier")
async def carrier(_who: Supervisor, number: Annotated[str, Query(max_length=64)]) -> dict[str, Any]:
    canonical, code = desk.typed_carrier(number)
    return {"number": canonical, "carrier": code, "carrier_name": shapes.carrier_name(code)}
