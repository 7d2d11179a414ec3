"""A Douyin shop's secrets: WAYBILL_SHOP_<NAME>_APP_KEY, _APP_SECRET, _ACCESS_TOKEN, optional _SIGN_METHOD."""

from __future__ import annotations

from dataclasses import dataclass

from capture.errors import CredentialsError
from capture.marketplaces.plugin import ShopContext
from capture.upload import credentials
from capture.upload.credentials import Secret

DEFAULT_ENDPOINT = "https://openapi-fxg.jinritemai.com"
SECRET_KEYS = ("app_key", "app_secret", "access_token")
SIGN_METHODS = ("md5", "hmac-sha256")


@dataclass(frozen=True)
class DouyinCredentials:
    endpoint: str
    app_key: Secret
    app_secret: Secret
    access_token: Secret
    sign_method: str = "md5"

    @property
    def secrets(self) -> tuple[Secret, ...]:
        return (self.app_key, self.app_secret, self.access_token)

    def redact(self, text: str) -> str:
        return credentials.redact(text, self.secrets)


def load(ctx: ShopContext) -> DouyinCredentials:
    name = ctx.shop.name
    values = credentials.shop_values(ctx.settings, name, (*SECRET_KEYS, "sign_method"), ctx.env)
    credentials.require_shop_values(values, name, SECRET_KEYS, "Douyin")
    endpoint = ctx.shop.endpoint or DEFAULT_ENDPOINT
    credentials.check_url(endpoint, f"[shops.{name}] endpoint")
    sign_method = values.get("sign_method", SIGN_METHODS[0]).lower()
    if sign_method not in SIGN_METHODS:
        raise CredentialsError(
            f"unknown Douyin sign method {sign_method!r} for shop {name}",
            f"set WAYBILL_SHOP_{name.upper()}_SIGN_METHOD to one of {', '.join(SIGN_METHODS)}",
        )
    return DouyinCredentials(
        endpoint=endpoint,
        app_key=Secret(values["app_key"]),
        app_secret=Secret(values["app_secret"]),
        access_token=Secret(values["access_token"]),
        sign_method=sign_method,
    )
