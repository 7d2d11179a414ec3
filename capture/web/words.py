"""How an outcome looks and sounds at the desk: colour, tone, spoken prompt, and words in Chinese and English.

Only presentation: the status and reasons come from the facade's decision;
this picks what the packer sees and hears for them.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from capture.types import Reason, Status


class Look(StrEnum):
    GREEN = "green"  # queued for upload
    NEUTRAL = "neutral"  # a pick list held for its label
    YELLOW = "yellow"  # a person must look
    RED = "red"  # refused or unreadable


class Tone(StrEnum):
    QUEUED = "queued"
    HELD = "held"
    REVIEW = "review"
    REJECTED = "rejected"


# Spoken prompts (语音播报), one clip each, made offline (capture.web.audio).
VOICE_ZH: dict[str, str] = {
    "shipped": "发货成功",
    "held": "请扫面单",
    "review": "请复核",
    "duplicate": "重复扫描",
    "closed": "订单已关闭",
    "rejected": "扫描失败",
    "unknown": "无法识别",
}

STATUS_WORDS: dict[str, tuple[str, str]] = {
    Status.QUEUED: ("发货成功", "Queued for upload"),
    Status.REVIEW: ("请复核", "Needs review"),
    Status.REJECTED: ("已拒绝", "Rejected"),
    Status.NO_WAYBILL: ("未识别到面单", "No waybill"),
    Status.ERROR: ("图片无法读取", "Unreadable"),
}

REASON_WORDS: dict[str, tuple[str, str]] = {
    Reason.MULTIPLE_WAYBILLS: ("照片上有多个运单号", "several waybill numbers on the photo"),
    Reason.BARCODE_OCR_DISAGREE: ("条码与印刷单号不一致", "barcode and printed number differ"),
    Reason.OCR_UNCONFIRMED: ("单号未能确认", "number not confirmed"),
    Reason.NO_MATCHING_ORDER: ("找不到对应订单", "no matching order"),
    Reason.AMBIGUOUS_ORDER: ("有多个可能的订单", "more than one order fits"),
    Reason.ORDER_NOT_AWAITING_SHIPMENT: ("订单已关闭或不在待发货状态", "order is not awaiting shipment"),
    Reason.WAYBILL_ON_OTHER_ORDER: ("重复扫描：该单号已用于其他订单", "duplicate: number already on another order"),
    Reason.ALREADY_QUEUED: ("重复扫描：该单号已在上传队列", "duplicate: already queued"),
    Reason.ORDER_HAS_OTHER_WAYBILL: ("该订单已有其他运单号", "order already has another waybill"),
    Reason.UNREADABLE_IMAGE: ("图片无法读取", "image cannot be read"),
    Reason.DUPLICATE_PHOTO: ("同一张照片已扫描过", "same photo scanned before"),
    Reason.LINK_OUTSIDE_FOLDER: ("文件不在投递文件夹内", "file outside the drop folder"),
    Reason.CARRIER_NOT_USED: ("本店不使用该快递公司", "the shop does not use this carrier"),
    Reason.PAIR_MISMATCH: ("面单与拣货单不符", "label does not match the pick list"),
    Reason.PICK_LIST: ("拣货单已记录，请扫面单", "pick list held: scan its label"),
    Reason.UNKNOWN_CODE: ("既不是运单号也不是订单号", "neither a waybill nor an order number"),
    Reason.REFUND_IN_PROGRESS: ("买家申请了退款，先别发货", "the buyer asked for a refund: do not ship yet"),
}

DUPLICATE = frozenset({Reason.WAYBILL_ON_OTHER_ORDER, Reason.ALREADY_QUEUED, Reason.DUPLICATE_PHOTO})


def display(scan: dict[str, Any]) -> dict[str, Any]:
    """The look of one scan object (the contract's status and reasons, and a pairing if any)."""
    status, reasons = scan["status"], set(scan.get("reasons") or [])
    pair = scan.get("pair") or {}
    if status == Status.NO_WAYBILL and pair.get("state") == "paired" and pair.get("status"):
        # A pick list that settled the label held at the desk: the label's outcome is the news.
        status, reasons = pair["status"], set(pair.get("reasons") or [])
    look, tone, voice = _look(status, reasons)
    zh, en = STATUS_WORDS.get(status, (status, status))
    if status == Status.NO_WAYBILL and Reason.PICK_LIST in reasons:
        zh, en = ("拣货单已记录", "Pick list held")
    elif status == Status.NO_WAYBILL and Reason.UNKNOWN_CODE in reasons:
        zh, en = ("无法识别", "Not recognised")
    return {
        "look": look.value,
        "tone": tone.value,
        "voice": voice,
        "title": {"zh": zh, "en": en},
        "reasons": [{"zh": REASON_WORDS[r][0], "en": REASON_WORDS[r][1]} for r in sorted(reasons) if r in REASON_WORDS],
    }


def _look(status: str, reasons: set[str]) -> tuple[Look, Tone, str]:
    if status == Status.QUEUED:
        return Look.GREEN, Tone.QUEUED, "shipped"
    if status == Status.REVIEW:
        return Look.YELLOW, Tone.REVIEW, "review"
    if status == Status.NO_WAYBILL and Reason.PICK_LIST in reasons:
        return Look.NEUTRAL, Tone.HELD, "held"
    if status == Status.NO_WAYBILL:
        voice = "unknown"
        return Look.YELLOW if not reasons else Look.RED, Tone.REJECTED if reasons else Tone.REVIEW, voice
    if reasons & DUPLICATE:
        return Look.RED, Tone.REJECTED, "duplicate"
    if Reason.ORDER_NOT_AWAITING_SHIPMENT in reasons:
        return Look.RED, Tone.REJECTED, "closed"
    return Look.RED, Tone.REJECTED, "rejected"
