"""Marketplace secrets: from WAYBILL_* environment variables or an owner-only TOML file.

    WAYBILL_TAOBAO_ENDPOINT      router URL (default: Taobao's production router)
    WAYBILL_TAOBAO_APP_KEY       secret
    WAYBILL_TAOBAO_APP_SECRET    secret
    WAYBILL_TAOBAO_SESSION       secret (the shop's session key)
    WAYBILL_TAOBAO_SIGN_METHOD   md5 (default) or hmac-sha256
    WAYBILL_WEBHOOK_URL          secret (such URLs often carry a token)
    WAYBILL_WEBHOOK_SECRET       secret (HMAC key)

    WAYBILL_SHOP_<NAME>_<KEY>    a named shop's secrets ([shops.NAME] in the settings;
                                 the keys per marketplace are in capture/marketplaces/*/)

The file (settings `secrets_file` / WAYBILL_SECRETS_FILE, else
secrets.toml in the user config dir if it exists) uses the same names in
lower case without the prefix (`taobao_app_key = "..."`,
`shop_pdd_main_client_secret = "..."`); the environment wins over it.  A
file other users can read is refused: `chmod 600 FILE`.

Secrets are kept in `Secret`, whose repr and str are "***": a secret
printed, logged or formatted by mistake shows nothing.  They are never put
in Settings (whose values may be printed) nor in the database.
"""

from __future__ import annotations

import os
import stat
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from platformdirs import user_config_dir

from capture.errors import CredentialsError
from capture.settings import APP_NAME, ENV_PREFIX, Settings
from capture.upload.secret_spellings import spellings

DEFAULT_TAOBAO_ENDPOINT = "https://eco.taobao.com/router/rest"
SIGN_METHODS = ("md5", "hmac-sha256")
SECRETS_FILE_NAME = "secrets.toml"
SHOP_FILE_PREFIX = "shop_"  # shop_<name>_<key> in the file, WAYBILL_SHOP_<NAME>_<KEY> in the environment
FILE_KEYS = (
    "taobao_endpoint",
    "taobao_app_key",
    "taobao_app_secret",
    "taobao_session",
    "taobao_sign_method",
    "webhook_url",
    "webhook_secret",
)
# Group and other permission bits: any of them set lets someone else read or
# replace the file.
NOT_OWNER_ONLY = stat.S_IRWXG | stat.S_IRWXO
MASK = "***"
# Shorter values are not replaced in free text: they would match inside
# order numbers and waybills and garble the message without protecting much.
MIN_REDACTED_LENGTH = 4


class Secret:
    """A string that does not show itself.  `reveal()` is the only way to the value."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __bool__(self) -> bool:
        return bool(self._value)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)

    def __repr__(self) -> str:
        return f"Secret({MASK!r})"

    __str__ = __repr__

    def __reduce__(self) -> tuple:  # pickling would write the value out
        raise TypeError("a Secret is not pickled")


def redact(text: str, secrets: Iterable[Secret]) -> str:
    """`text` with every secret value, in every spelling (secret_spellings), replaced by ***."""
    forms = {form for s in secrets if len(s.reveal()) >= MIN_REDACTED_LENGTH for form in spellings(s.reveal())}
    for form in sorted(forms, key=len, reverse=True):  # longest first: no spelling is left half-masked
        text = text.replace(form, MASK)
    return text


@dataclass(frozen=True)
class TaobaoCredentials:
    endpoint: str
    app_key: Secret
    app_secret: Secret
    session: Secret
    sign_method: str = "md5"

    @property
    def secrets(self) -> tuple[Secret, ...]:
        return (self.app_key, self.app_secret, self.session)

    def redact(self, text: str) -> str:
        return redact(text, self.secrets)


@dataclass(frozen=True)
class WebhookCredentials:
    url: Secret
    secret: Secret

    @property
    def secrets(self) -> tuple[Secret, ...]:
        return (self.url, self.secret)

    def redact(self, text: str) -> str:
        return redact(text, self.secrets)


# --- reading ---------------------------------------------------------------


def _secrets_file(settings: Settings) -> Path | None:
    if settings.secrets_file:
        path = Path(settings.secrets_file).expanduser()
        if not path.exists():
            raise CredentialsError(
                f"secrets file {path} does not exist",
                "create it (chmod 600) or unset secrets_file / WAYBILL_SECRETS_FILE",
            )
        return path
    default = Path(user_config_dir(APP_NAME)) / SECRETS_FILE_NAME
    return default if default.exists() else None


def check_owner_only(path: Path) -> None:
    """Refuse a secrets file that anyone but its owner may read or change."""
    if os.name != "posix":  # Windows has ACLs, not mode bits; its user profile is private
        return
    mode = path.stat().st_mode
    if mode & NOT_OWNER_ONLY:
        raise CredentialsError(
            f"secrets file {path} can be read by other users (mode {stat.S_IMODE(mode):03o}); refusing to use it",
            f"make it readable by its owner only: chmod 600 {path}",
        )


def read_secrets_file(path: Path) -> dict[str, str]:
    check_owner_only(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        # The decoder's message gives line and column, never the content.
        raise CredentialsError(f"secrets file {path} is not valid TOML: {exc}", "fix the syntax") from exc
    unknown = sorted(k for k in data if k not in FILE_KEYS and not k.startswith(SHOP_FILE_PREFIX))
    if unknown:
        raise CredentialsError(
            f"unknown keys in secrets file {path}: {', '.join(unknown)}",
            f"known: {', '.join(FILE_KEYS)}, and shop_<name>_<key> for a shop's own secrets",
        )
    not_text = sorted(k for k, v in data.items() if not isinstance(v, str))
    if not_text:
        raise CredentialsError(
            f"in secrets file {path}, these must be quoted strings: {', '.join(not_text)}",
            'write them as key = "value"',
        )
    return dict(data)


def shop_values(
    settings: Settings, shop: str, keys: Iterable[str], env: Mapping[str, str] | None = None
) -> dict[str, str]:
    """One shop's secrets by key (lower case): WAYBILL_SHOP_<NAME>_<KEY>, else shop_<name>_<key> in the file."""
    env = os.environ if env is None else env
    path = _secrets_file(settings)
    in_file = read_secrets_file(path) if path else {}
    values: dict[str, str] = {}
    for key in keys:
        name = f"{SHOP_FILE_PREFIX}{shop}_{key}".lower()
        raw = env.get(ENV_PREFIX + name.upper()) or in_file.get(name, "")
        if raw:
            values[key.lower()] = raw
    return values


def require_shop_values(values: Mapping[str, str], shop: str, keys: Iterable[str], what: str) -> None:
    missing = [k for k in keys if not values.get(k)]
    if missing:
        names = ", ".join(f"{ENV_PREFIX}{SHOP_FILE_PREFIX.upper()}{shop.upper()}_{k.upper()}" for k in missing)
        raise CredentialsError(
            f"{what} credentials of shop {shop} are missing: {names}",
            "set them in the environment or in the secrets file (mode 600) as "
            + ", ".join(f"{SHOP_FILE_PREFIX}{shop}_{k}" for k in missing),
        )


def _values(settings: Settings, env: Mapping[str, str] | None) -> dict[str, str]:
    env = os.environ if env is None else env
    path = _secrets_file(settings)
    values = read_secrets_file(path) if path else {}
    for key in FILE_KEYS:
        raw = env.get(ENV_PREFIX + key.upper())
        if raw:
            values[key] = raw
    return values


def _missing(values: Mapping[str, str], keys: Iterable[str], what: str) -> None:
    missing = [k for k in keys if not values.get(k)]
    if missing:
        names = ", ".join(ENV_PREFIX + k.upper() for k in missing)
        raise CredentialsError(
            f"{what} credentials are missing: {names}",
            f"set them in the environment or in a secrets file (secrets_file / WAYBILL_SECRETS_FILE, mode 600) as {', '.join(missing)}",
        )


def check_url(url: str, label: str) -> None:
    """Refuse an endpoint that is not an http(s) URL; `label` says where it was set."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise CredentialsError(f"{label} is not an http(s) URL", "give the full URL, e.g. https://host/path")


def _check_url(url: str, name: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        # The URL itself is not shown: a webhook URL may hold a token.
        raise CredentialsError(
            f"{ENV_PREFIX}{name.upper()} is not an http(s) URL", "give the full URL, e.g. https://host/path"
        )


def load_taobao(settings: Settings, env: Mapping[str, str] | None = None) -> TaobaoCredentials:
    values = _values(settings, env)
    _missing(values, ("taobao_app_key", "taobao_app_secret", "taobao_session"), "Taobao")
    endpoint = values.get("taobao_endpoint") or DEFAULT_TAOBAO_ENDPOINT
    _check_url(endpoint, "taobao_endpoint")
    sign_method = (values.get("taobao_sign_method") or SIGN_METHODS[0]).lower()
    if sign_method not in SIGN_METHODS:
        raise CredentialsError(
            f"unknown Taobao sign method {sign_method!r}",
            f"set WAYBILL_TAOBAO_SIGN_METHOD to one of {', '.join(SIGN_METHODS)}",
        )
    return TaobaoCredentials(
        endpoint=endpoint,
        app_key=Secret(values["taobao_app_key"]),
        app_secret=Secret(values["taobao_app_secret"]),
        session=Secret(values["taobao_session"]),
        sign_method=sign_method,
    )


def load_webhook(settings: Settings, env: Mapping[str, str] | None = None) -> WebhookCredentials:
    values = _values(settings, env)
    _missing(values, ("webhook_url", "webhook_secret"), "Webhook")
    _check_url(values["webhook_url"], "webhook_url")
    return WebhookCredentials(url=Secret(values["webhook_url"]), secret=Secret(values["webhook_secret"]))
