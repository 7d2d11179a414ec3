"""Pinduoduo (拼多多) behind the marketplace interface.

client.py     signing and calls to gw-api.pinduoduo.com/api/router
credentials.py  a shop's CLIENT_ID, CLIENT_SECRET, ACCESS_TOKEN
errors.py     what an error_code means for a job
carriers.py   our carriers as logistics ids (pdd.logistics.companies.get)
connector.py  pdd.logistics.online.send, checked with pdd.order.information.get
orders.py     order-number rule, status map, an order as a row;  pull.py  the orders pull
"""

from __future__ import annotations

from pathlib import Path

from platformdirs import user_cache_dir

from capture.marketplaces.pdd import credentials
from capture.marketplaces.pdd.carriers import PddCompanies
from capture.marketplaces.pdd.client import PddBadReply, PddClient, PddError
from capture.marketplaces.pdd.connector import PddConnector
from capture.marketplaces.pdd.orders import PDD_DIALECT, now_s
from capture.marketplaces.pdd.pull import (
    LIST_METHOD,
    MAX_INCREMENT_S,
    full_pull,
    increment_pull,
    read_watermark,
    watermark_path,
    write_watermark,
)
from capture.marketplaces.plugin import Marketplace, Pulled, ShopContext
from capture.pipeline.carriers import CARRIERS
from capture.settings import APP_NAME
from capture.upload.connector import Connector
from capture.upload.http import Unreachable
from capture.upload.taobao_carriers import CompanyCode


def client(ctx: ShopContext) -> PddClient:
    return PddClient(credentials.load(ctx), ctx.settings.upload_timeout_s)


def connector(ctx: ShopContext) -> Connector:
    pdd = client(ctx)
    return PddConnector(pdd, PddCompanies(pdd, ctx.settings.taobao_companies_max_age_s), ctx.shop.name)


def carrier_codes(ctx: ShopContext) -> dict[str, str]:
    companies = PddCompanies(client(ctx), ctx.settings.taobao_companies_max_age_s)
    found = {c.code: companies.lookup(c.code) for c in CARRIERS}
    return {ours: code.company_code for ours, code in found.items() if isinstance(code, CompanyCode)}


def _cache_dir(ctx: ShopContext) -> Path:
    return Path(ctx.settings.cache_dir).expanduser() if ctx.settings.cache_dir else Path(user_cache_dir(APP_NAME))


def pull(ctx: ShopContext) -> Pulled:
    pdd = client(ctx)
    mark = watermark_path(_cache_dir(ctx), ctx.shop.name)
    since, started = read_watermark(mark), now_s()
    if since is not None and 0 <= started - since <= MAX_INCREMENT_S:
        rows, pages, skipped = increment_pull(pdd, ctx.shop.name, since, started)
        source = "pdd:pdd.order.number.list.increment.get"
    else:
        rows, pages, skipped = full_pull(pdd, ctx.shop.name)
        source = f"pdd:{LIST_METHOD}"
    return Pulled(rows, pages, skipped, source, after_commit=lambda: write_watermark(mark, started))


MARKETPLACE = Marketplace(
    name="pdd",
    title="Pinduoduo",
    dialect=PDD_DIALECT,
    secret_keys=credentials.SECRET_KEYS,
    connector=connector,
    pull=pull,
    carrier_codes=carrier_codes,
    error_types=(PddError, PddBadReply, Unreachable),
)
