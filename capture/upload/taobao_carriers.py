"""Our carrier codes as Taobao's logistics company codes, and each company's number rule.

`taobao.logistics.companies.get` (fields code, name, reg_mail_no) lists the
companies the platform knows.  Each is matched to our carrier table by name
(pipeline.carriers.by_name knows the aliases); where two companies map to
one carrier (EMS and 中国邮政 both mean our EMS), the one whose name or code
is exactly ours wins.  The setting `taobao_carrier_codes` ("JT=JTSD,...")
overrides the match.

`reg_mail_no` is the platform's regular expression for that company's
waybill numbers: a number that does not fit is refused before it is sent
(the platform would answer B60).

The list changes rarely and every worker needs it, so it is cached in a
JSON file (per endpoint) for `taobao_companies_max_age_s`; when the
platform cannot be reached, a stale cache is better than none.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from capture.errors import SettingsError
from capture.pipeline.carriers import BY_CODE, by_name
from capture.upload.http import Unreachable
from capture.upload.top_client import BadReply, TopClient, TopError, TopReply

log = logging.getLogger(__name__)

COMPANIES_METHOD = "taobao.logistics.companies.get"
COMPANY_FIELDS = "id,code,name,reg_mail_no"
CACHE_FILE_PREFIX = "taobao-companies-"
ENDPOINT_DIGEST_CHARS = 12


@dataclass(frozen=True)
class Company:
    code: str
    name: str
    reg_mail_no: str = ""


@dataclass(frozen=True)
class CompanyCode:
    """How to name one of our carriers to Taobao, and the rule its numbers follow there."""

    carrier: str
    company_code: str
    company_name: str
    rule: re.Pattern[str] | None

    def accepts(self, waybill: str) -> bool:
        return self.rule is None or self.rule.fullmatch(waybill) is not None


CompaniesResult = list[Company] | TopError | BadReply | Unreachable


def parse_overrides(text: str) -> dict[str, str]:
    """ "JT=JTSD, JD=JD" -> {"JT": "JTSD", "JD": "JD"}, our codes checked against the carrier table."""
    overrides: dict[str, str] = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        ours, sep, theirs = item.partition("=")
        ours, theirs = ours.strip().upper(), theirs.strip()
        if not sep or not ours or not theirs:
            raise SettingsError(
                f"taobao_carrier_codes entry {item!r} is not CARRIER=CODE", 'write e.g. "JT=JTSD,JD=JD"'
            )
        if ours not in BY_CODE:
            raise SettingsError(
                f"taobao_carrier_codes names an unknown carrier {ours!r}", f"our carriers: {', '.join(BY_CODE)}"
            )
        overrides[ours] = theirs
    return overrides


def _rule(company: Company) -> re.Pattern[str] | None:
    if not company.reg_mail_no:
        return None
    try:
        return re.compile(company.reg_mail_no)
    except re.error:
        # A Java-only construct: the platform still checks the number (B60).
        log.warning(
            "Taobao's number rule for %s is not a Python regular expression; not checked before sending", company.code
        )
        return None


def match_companies(companies: Sequence[Company], overrides: Mapping[str, str]) -> dict[str, CompanyCode]:
    """Our carrier code -> its Taobao company."""
    chosen: dict[str, Company] = {}
    for company in companies:
        carrier = by_name(company.name) or BY_CODE.get(company.code.upper())
        if carrier is None:
            continue
        better = (
            _is_exact(company, carrier.code) and not _is_exact(chosen[carrier.code], carrier.code)
            if carrier.code in chosen
            else True
        )
        if better:
            chosen[carrier.code] = company
    by_code = {c.code: c for c in companies}
    for ours, theirs in overrides.items():
        chosen[ours] = by_code.get(theirs, Company(code=theirs, name=theirs))
    return {ours: CompanyCode(ours, c.code, c.name, _rule(c)) for ours, c in chosen.items()}


def _is_exact(company: Company, ours: str) -> bool:
    carrier = BY_CODE[ours]
    return company.name.upper() in (carrier.name.upper(), carrier.code) or company.code.upper() == carrier.code


def _parse_companies(reply: TopReply) -> list[Company] | BadReply:
    holder = reply.body.get("logistics_companies") or {}
    items = holder.get("logistics_company") if isinstance(holder, dict) else None
    if not isinstance(items, list):
        return BadReply("companies.get returned no logistics_company list", 200)
    return [
        Company(code=str(i.get("code", "")), name=str(i.get("name", "")), reg_mail_no=str(i.get("reg_mail_no") or ""))
        for i in items
        if isinstance(i, dict) and i.get("code")
    ]


def cache_path(cache_dir: Path, endpoint: str) -> Path:
    digest = hashlib.sha256(endpoint.encode("utf-8")).hexdigest()[:ENDPOINT_DIGEST_CHARS]
    return cache_dir / f"{CACHE_FILE_PREFIX}{digest}.json"


class CompanyDirectory:
    """Looks up our carriers' Taobao codes; fetches and caches the company list on first use."""

    def __init__(self, client: TopClient, cache_file: Path, max_age_s: float, overrides: Mapping[str, str]) -> None:
        self._client = client
        self._cache_file = cache_file
        self._max_age_s = max_age_s
        self._overrides = dict(overrides)
        self._codes: dict[str, CompanyCode] | None = None
        self._loaded_at = 0.0

    def lookup(self, carrier: str) -> CompanyCode | TopError | BadReply | Unreachable | None:
        """The company for our `carrier`, None if Taobao has none, or why the list is not to be had."""
        if self._codes is None or time.monotonic() - self._loaded_at > self._max_age_s:
            loaded = self._load()
            if not isinstance(loaded, list):
                return loaded
            self._codes = match_companies(loaded, self._overrides)
            self._loaded_at = time.monotonic()
        return self._codes.get(carrier)

    def _load(self) -> CompaniesResult:
        cached, age = self._read_cache()
        if cached is not None and age <= self._max_age_s:
            return cached
        fetched = self.fetch()
        if isinstance(fetched, list):
            self._write_cache(fetched)
            return fetched
        if cached is not None:
            log.warning(
                "Taobao company list not refreshed (%s); using the cached one", self._client.redact(_reason(fetched))
            )
            return cached
        return fetched

    def fetch(self) -> CompaniesResult:
        result = self._client.call(COMPANIES_METHOD, {"fields": COMPANY_FIELDS})
        return _parse_companies(result) if isinstance(result, TopReply) else result

    def _read_cache(self) -> tuple[list[Company] | None, float]:
        try:
            data = json.loads(self._cache_file.read_text(encoding="utf-8"))
            companies = [Company(**item) for item in data["companies"]]
            return companies, time.time() - float(data["fetched_at"])
        except FileNotFoundError:
            return None, 0.0
        except (OSError, ValueError, KeyError, TypeError) as exc:
            log.warning("ignoring unreadable company cache %s: %s", self._cache_file, exc)
            return None, 0.0

    def _write_cache(self, companies: list[Company]) -> None:
        payload = json.dumps(
            {"fetched_at": time.time(), "companies": [asdict(c) for c in companies]}, ensure_ascii=False
        )
        try:
            self._cache_file.parent.mkdir(parents=True, exist_ok=True)
            # Write then rename: a second worker never reads half a file.
            fd, tmp = tempfile.mkstemp(dir=self._cache_file.parent, prefix=self._cache_file.name, suffix=".tmp")
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                out.write(payload)
            os.replace(tmp, self._cache_file)
        except OSError as exc:
            log.warning("could not cache the Taobao company list in %s: %s", self._cache_file, exc)


def _reason(result: TopError | BadReply | Unreachable) -> str:
    return result.describe() if isinstance(result, TopError) else result.reason
