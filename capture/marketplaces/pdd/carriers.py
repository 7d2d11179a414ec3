"""Our carrier codes as Pinduoduo logistics ids: pdd.logistics.companies.get, matched by name.

The reply (shape as github.com/lywzx/pdd-node-sdk's
wuLiu/PddLogisticsCompaniesGet.ts describes it) is
{"logistics_companies_get_response": {"logistics_companies": [{"id": 44,
"logistics_company": "顺丰快递", "code": "SF", "available": 1}, ...]}};
only `available` companies may be sent (others are refused by the
platform).  Names are matched to our carriers as Taobao's are
(taobao_carriers.match_companies); the list is kept in memory for
`taobao_companies_max_age_s`, the same daily refresh.
"""

from __future__ import annotations

import time

from capture.marketplaces.pdd.client import PddBadReply, PddClient, PddError, PddReply
from capture.upload.http import Unreachable
from capture.upload.taobao_carriers import Company, CompanyCode, match_companies

COMPANIES_METHOD = "pdd.logistics.companies.get"
COMPANIES_KEY = "logistics_companies_get_response"
AVAILABLE = 1

Failure = PddError | PddBadReply | Unreachable


def parse_companies(reply: PddReply) -> list[Company] | PddBadReply:
    items = reply.body.get("logistics_companies")
    if not isinstance(items, list):
        return PddBadReply("companies.get returned no logistics_companies list", 200)
    return [
        Company(code=str(item["id"]), name=str(item.get("logistics_company", "")))
        for item in items
        if isinstance(item, dict) and item.get("id") is not None and item.get("available", AVAILABLE) == AVAILABLE
    ]


class PddCompanies:
    """Looks up our carriers' logistics ids; fetches the list on first use and after max_age_s."""

    def __init__(self, client: PddClient, max_age_s: float) -> None:
        self._client = client
        self._max_age_s = max_age_s
        self._codes: dict[str, CompanyCode] | None = None
        self._loaded_at = 0.0

    def lookup(self, carrier: str) -> CompanyCode | Failure | None:
        """The logistics id (as company_code) for our `carrier`, None if the platform has none."""
        if self._codes is None or time.monotonic() - self._loaded_at > self._max_age_s:
            result = self._client.call(COMPANIES_METHOD, {}, COMPANIES_KEY)
            if not isinstance(result, PddReply):
                return result
            companies = parse_companies(result)
            if not isinstance(companies, list):
                return companies
            self._codes = match_companies(companies, {})
            self._loaded_at = time.monotonic()
        return self._codes.get(carrier)
