"""A Pinduoduo shop's secrets: WAYBILL_SHOP_<NAME>_CLIENT_ID, _CLIENT_SECRET, _ACCESS_TOKEN (or the secrets file)."""

from __future__ import annotations

from dataclasses import dataclass

from capture.marketplaces.plugin import ShopContext
from capture.upload import credentials
from capture.upload.credentials import Secret

DEFAULT_ENDPOINT = "https://gw-api.pinduoduo.com/api/router"
SECRET_KEYS = ("client_id", "client_secret", "access_token")


@dataclass(frozen=True)
class PddCredentials:
    endpoint: str
    client_id: Secret
    client_secret: Secret
    access_token: Secret

    @property
    def secrets(self) -> tuple[Secret, ...]:
        return (self.client_id, self.client_secret, self.access_token)

    def redact(self, text: str) -> str:
        return credentials.redact(text, self.secrets)


def load(ctx: ShopContext) -> PddCredentials:
    name = ctx.shop.name
    values = credentials.shop_values(ctx.settings, name, SECRET_KEYS, ctx.env)
    credentials.require_shop_values(values, name, SECRET_KEYS, "Pinduoduo")
    endpoint = ctx.shop.endpoint or DEFAULT_ENDPOINT
    credentials.check_url(endpoint, f"[shops.{name}] endpoint")
    return PddCredentials(
        endpoint=endpoint,
        client_id=Secret(values["client_id"]),
        client_secret=Secret(values["client_secret"]),
        access_token=Secret(values["access_token"]),
    )
