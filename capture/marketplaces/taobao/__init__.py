"""Taobao/Tmall behind the marketplace interface.

The parts themselves stay in capture/upload/ (taobao.py: offline.send and
its check; top_client.py: signing and calls; taobao_errors.py: what an error
means; taobao_carriers.py: company codes and number rules; taobao_orders.py:
trades.sold.get).  This package only says how a shop gets them.

The shop "default" reads today's WAYBILL_TAOBAO_* secrets (credentials.
load_taobao); any other Taobao shop reads WAYBILL_SHOP_<NAME>_APP_KEY,
_APP_SECRET, _SESSION and optionally _SIGN_METHOD.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from platformdirs import user_cache_dir

from capture.errors import CredentialsError
from capture.marketplaces.plugin import Marketplace, Pulled, ShopContext
from capture.pipeline.carriers import CARRIERS
from capture.settings import APP_NAME
from capture.shops import DEFAULT_SHOP
from capture.store.order_source import TAOBAO_DIALECT
from capture.upload import credentials
from capture.upload.connector import Connector
from capture.upload.credentials import DEFAULT_TAOBAO_ENDPOINT, SIGN_METHODS, Secret, TaobaoCredentials
from capture.upload.http import Unreachable
from capture.upload.taobao import TaobaoConnector
from capture.upload.taobao_carriers import CompanyCode, CompanyDirectory, cache_path, parse_overrides
from capture.upload.taobao_orders import SOURCE, pull_pages
from capture.upload.top_client import BadReply, TopClient, TopError

SECRET_KEYS = ("app_key", "app_secret", "session")
OPTIONAL_KEYS = ("sign_method",)


def load_credentials(ctx: ShopContext) -> TaobaoCredentials:
    if ctx.shop.name == DEFAULT_SHOP:
        creds = credentials.load_taobao(ctx.settings, ctx.env)
        return replace(creds, endpoint=ctx.shop.endpoint) if ctx.shop.endpoint else creds
    values = credentials.shop_values(ctx.settings, ctx.shop.name, SECRET_KEYS + OPTIONAL_KEYS, ctx.env)
    credentials.require_shop_values(values, ctx.shop.name, SECRET_KEYS, "Taobao")
    endpoint = ctx.shop.endpoint or DEFAULT_TAOBAO_ENDPOINT
    credentials.check_url(endpoint, f"[shops.{ctx.shop.name}] endpoint")
    sign_method = values.get("sign_method", SIGN_METHODS[0]).lower()
    if sign_method not in SIGN_METHODS:
        raise CredentialsError(
            f"unknown Taobao sign method {sign_method!r} for shop {ctx.shop.name}",
            f"set WAYBILL_SHOP_{ctx.shop.name.upper()}_SIGN_METHOD to one of {', '.join(SIGN_METHODS)}",
        )
    return TaobaoCredentials(
        endpoint=endpoint,
        app_key=Secret(values["app_key"]),
        app_secret=Secret(values["app_secret"]),
        session=Secret(values["session"]),
        sign_method=sign_method,
    )


def client(ctx: ShopContext) -> TopClient:
    return TopClient(load_credentials(ctx), ctx.settings.upload_timeout_s)


def _cache_dir(ctx: ShopContext) -> Path:
    settings = ctx.settings
    return Path(settings.cache_dir).expanduser() if settings.cache_dir else Path(user_cache_dir(APP_NAME))


def _directory(ctx: ShopContext, top: TopClient, endpoint: str) -> CompanyDirectory:
    return CompanyDirectory(
        top,
        cache_path(_cache_dir(ctx), endpoint),
        ctx.settings.taobao_companies_max_age_s,
        parse_overrides(ctx.settings.taobao_carrier_codes),
    )


def connector(ctx: ShopContext) -> Connector:
    creds = load_credentials(ctx)
    top = TopClient(creds, ctx.settings.upload_timeout_s)
    return TaobaoConnector(top, _directory(ctx, top, creds.endpoint))


def carrier_codes(ctx: ShopContext) -> dict[str, str]:
    creds = load_credentials(ctx)
    directory = _directory(ctx, TopClient(creds, ctx.settings.upload_timeout_s), creds.endpoint)
    found = {ours: directory.lookup(ours) for ours in (carrier.code for carrier in CARRIERS)}
    return {ours: code.company_code for ours, code in found.items() if isinstance(code, CompanyCode)}


def pull(ctx: ShopContext) -> Pulled:
    pages = list(pull_pages(client(ctx), ctx.settings.taobao_page_size))
    rows = [row for page in pages for row in page.rows]
    return Pulled(rows=rows, pages=len(pages), skipped=sum(page.skipped for page in pages), source=SOURCE)


MARKETPLACE = Marketplace(
    name="taobao",
    title="Taobao",
    dialect=TAOBAO_DIALECT,
    secret_keys=SECRET_KEYS,
    connector=connector,
    pull=pull,
    carrier_codes=carrier_codes,
    error_types=(TopError, BadReply, Unreachable),
)
