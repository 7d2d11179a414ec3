"""Packing videos on the supervisor's page: a parcel's clips, the video itself, a dispute's zip, dispute marks (supervisor+).

The video is served through an authenticated route, as a scan's photo is,
never as a file path; FileResponse answers Range requests, which a <video>
element uses to seek.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import FileResponse
from pydantic import BaseModel, Field
from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool

from capture.accounts import Permission
from capture.api import video
from capture.store.clips import ClipView
from capture.web.auth import Caller, allowed

router = APIRouter()
Supervisor = Annotated[Caller, Depends(allowed(Permission.REVIEW))]


class DisputeMark(BaseModel):
    order: str = Field(min_length=1, max_length=32)
    note: str = Field(default="", max_length=500)


def clip_body(c: ClipView) -> dict[str, Any]:
    kept = c.removed_at is None
    return {
        "id": c.id,
        "waybill": c.waybill,
        "order": c.order_tid,
        "station": c.station,
        "scan_id": c.scan_id,
        "started_at": c.started_at.isoformat(),
        "ended_at": c.ended_at.isoformat(),
        "frames": c.frames,
        "bytes": c.bytes,
        "removed": None if kept else c.removed_reason,
        "disputed": c.disputed,
        "video_url": f"/api/clips/{c.id}/video" if kept else None,
        "export_url": f"/api/clips/{c.id}/export" if kept else None,
    }


@router.get("/api/clips")
async def clips(request: Request, _who: Supervisor, key: Annotated[str, Query(min_length=1, max_length=64)]) -> Any:
    found = await run_in_threadpool(video.clips, key, request.app.state.settings)
    return {"key": key, "clips": [clip_body(c) for c in found]}


@router.get("/api/scans/{scan_id}/clips")
async def scan_clips(scan_id: int, request: Request, _who: Supervisor) -> Any:
    found = await run_in_threadpool(video.clips_of_scan, scan_id, request.app.state.settings)
    return {"scan_id": scan_id, "clips": [clip_body(c) for c in found]}


@router.get("/api/clips/{clip_id}/video")
async def clip_video(clip_id: int, request: Request, _who: Supervisor) -> FileResponse:
    try:
        path = await run_in_threadpool(video.clip_file, clip_id, request.app.state.settings)
    except video.ClipNotFound as exc:
        raise HTTPException(404, exc.message) from exc
    return FileResponse(path, media_type="video/mp4", headers={"Cache-Control": "private, max-age=3600"})


@router.get("/api/clips/{clip_id}/export")
async def clip_export(clip_id: int, request: Request, _who: Supervisor) -> FileResponse:
    folder = Path(tempfile.mkdtemp(prefix="waybill-export-"))
    try:
        path = await run_in_threadpool(video.export_clip, clip_id, request.app.state.settings, folder / "x.zip")
    except video.ClipNotFound as exc:
        shutil.rmtree(folder, ignore_errors=True)
        raise HTTPException(404, exc.message) from exc
    except Exception:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return FileResponse(
        path,
        media_type="application/zip",
        filename=f"dispute-clip-{clip_id}.zip",
        background=BackgroundTask(shutil.rmtree, folder, ignore_errors=True),
    )


@router.post("/api/disputes")
async def open_dispute(mark: DisputeMark, request: Request, who: Supervisor) -> dict[str, Any]:
    by = f"person:{who.identity.name}"
    found = await run_in_threadpool(video.open_dispute, mark.order, mark.note, by, request.app.state.settings)
    return {"order": found.order_tid, "opened_at": found.opened_at.isoformat(), "opened_by": found.opened_by}


@router.post("/api/disputes/{order}/close")
async def close_dispute(order: str, request: Request, who: Supervisor) -> dict[str, Any]:
    closed = await run_in_threadpool(
        video.close_dispute, order, f"person:{who.identity.name}", request.app.state.settings
    )
    return {"order": order, "closed": closed}
