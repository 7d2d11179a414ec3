"""Douyin shop (抖店) behind the marketplace interface.

client.py     signing (md5 or hmac-sha256 per sign_method) and calls
credentials.py  a shop's APP_KEY, APP_SECRET, ACCESS_TOKEN, SIGN_METHOD
errors.py     what a code means for a job;  connector.py  order.logisticsAdd, checked with order.orderDetail
orders.py     order-number rule, status map, an order as a row; the pull is order.searchList (here)
"""

from __future__ import annotations

import logging

from capture.errors import CredentialsError, MarketplaceError
from capture.marketplaces.douyin import credentials
from capture.marketplaces.douyin.client import DouyinBadReply, DouyinClient, DouyinError, DouyinReply, describe
from capture.marketplaces.douyin.connector import DouyinCompanies, DouyinConnector
from capture.marketplaces.douyin.errors import classify, credentials_hint
from capture.marketplaces.douyin.orders import DOUYIN_DIALECT, order_to_row
from capture.marketplaces.outcome_kinds import Meaning
from capture.marketplaces.plugin import Marketplace, Pulled, ShopContext
from capture.pipeline.carriers import CARRIERS
from capture.store.order_source import InvalidOrderRow, OrderRow
from capture.upload.connector import Connector
from capture.upload.http import Unreachable
from capture.upload.taobao_carriers import CompanyCode

log = logging.getLogger(__name__)

SEARCH_METHOD = "order.searchList"
AWAITING_SHIPMENT = 2
PAGE_SIZE = 100
MAX_PAGES = 1000


def client(ctx: ShopContext) -> DouyinClient:
    return DouyinClient(credentials.load(ctx), ctx.settings.upload_timeout_s)


def connector(ctx: ShopContext) -> Connector:
    douyin = client(ctx)
    return DouyinConnector(douyin, DouyinCompanies(douyin, ctx.settings.taobao_companies_max_age_s), ctx.shop.name)


def carrier_codes(ctx: ShopContext) -> dict[str, str]:
    companies = DouyinCompanies(client(ctx), ctx.settings.taobao_companies_max_age_s)
    found = {c.code: companies.lookup(c.code) for c in CARRIERS}
    return {ours: code.company_code for ours, code in found.items() if isinstance(code, CompanyCode)}


def _page(douyin: DouyinClient, shop: str, page: int) -> DouyinReply:
    result = douyin.call(SEARCH_METHOD, {"order_status": AWAITING_SHIPMENT, "page": page, "size": PAGE_SIZE})
    if isinstance(result, DouyinReply):
        return result
    text = douyin.redact(describe(result))
    if isinstance(result, DouyinError) and classify(result).meaning is Meaning.CREDENTIALS:
        raise CredentialsError(f"Douyin refused shop {shop}'s credentials: {text}", credentials_hint(result, shop))
    raise MarketplaceError(
        f"pulling orders of shop {shop} from Douyin failed: {text}", "try again later; nothing was changed"
    )


def pull(ctx: ShopContext) -> Pulled:
    """order.searchList for orders awaiting shipment (order_status 2), pages from 0."""
    douyin = client(ctx)
    rows: list[OrderRow] = []
    skipped = pages = 0
    for page in range(MAX_PAGES):
        data = _page(douyin, ctx.shop.name, page).data or {}
        orders = data.get("shop_order_list") or [] if isinstance(data, dict) else []
        pages += 1
        for order in orders:
            try:
                rows.append(order_to_row(order))
            except (InvalidOrderRow, AttributeError) as exc:
                skipped += 1
                log.warning("skipping a Douyin order that cannot be stored: %s", exc)
        if len(orders) < PAGE_SIZE or (page + 1) * PAGE_SIZE >= int(data.get("total") or 0):
            break
    return Pulled(rows, pages, skipped, f"douyin:{SEARCH_METHOD}")


MARKETPLACE = Marketplace(
    name="douyin",
    title="Douyin",
    dialect=DOUYIN_DIALECT,
    secret_keys=credentials.SECRET_KEYS,
    connector=connector,
    pull=pull,
    carrier_codes=carrier_codes,
    error_types=(DouyinError, DouyinBadReply, Unreachable),
)
