"""Secrets: where they come from, a file others can read is refused, and they never show."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from capture import settings as settings_mod
from capture.errors import CredentialsError
from capture.upload.credentials import Secret, load_taobao, load_webhook, redact

ENV = {
    "WAYBILL_TAOBAO_APP_KEY": "key-from-env",
    "WAYBILL_TAOBAO_APP_SECRET": "secret-from-env",
    "WAYBILL_TAOBAO_SESSION": "session-from-env",
}


@pytest.fixture(autouse=True)
def no_user_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The user's own ~/.config/waybill/secrets.toml must not leak into these tests."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))


def settings(secrets_file: Path | None = None) -> settings_mod.Settings:
    return settings_mod.load(env={}, db_url="sqlite://", secrets_file=str(secrets_file) if secrets_file else None)


def secrets_file(tmp_path: Path, text: str, mode: int) -> Path:
    path = tmp_path / "secrets.toml"
    path.write_text(text, encoding="utf-8")
    path.chmod(mode)
    return path


def test_credentials_come_from_the_environment() -> None:
    creds = load_taobao(settings(), ENV)
    assert creds.app_key.reveal() == "key-from-env"
    assert creds.sign_method == "md5"
    assert creds.endpoint.startswith("https://")


def test_missing_credentials_are_named_but_not_shown() -> None:
    with pytest.raises(CredentialsError) as caught:
        load_taobao(settings(), {"WAYBILL_TAOBAO_APP_KEY": "key-from-env"})
    assert "WAYBILL_TAOBAO_APP_SECRET" in str(caught.value) and "WAYBILL_TAOBAO_SESSION" in str(caught.value)
    assert "key-from-env" not in str(caught.value)


def test_an_owner_only_file_is_read_and_the_environment_wins(tmp_path: Path) -> None:
    path = secrets_file(
        tmp_path,
        'taobao_app_key = "key-from-file"\ntaobao_app_secret = "secret-from-file"\ntaobao_session = "session-from-file"\n'
        'taobao_sign_method = "hmac-sha256"\n',
        0o600,
    )
    creds = load_taobao(settings(path), {"WAYBILL_TAOBAO_SESSION": "session-from-env"})
    assert creds.app_secret.reveal() == "secret-from-file"
    assert creds.session.reveal() == "session-from-env"
    assert creds.sign_method == "hmac-sha256"


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604, 0o660])
def test_a_file_others_can_read_is_refused_with_the_fix(tmp_path: Path, mode: int) -> None:
    path = secrets_file(tmp_path, 'taobao_app_secret = "secret-from-file"\n', mode)
    with pytest.raises(CredentialsError) as caught:
        load_taobao(settings(path), ENV)
    message = str(caught.value)
    assert f"chmod 600 {path}" in message
    assert f"{mode:03o}" in message
    assert "secret-from-file" not in message


def test_unknown_keys_and_bad_toml_are_reported_without_values(tmp_path: Path) -> None:
    path = secrets_file(tmp_path, 'taobao_app_sekret = "typo-value"\n', 0o600)
    with pytest.raises(CredentialsError, match="taobao_app_sekret") as caught:
        load_taobao(settings(path), ENV)
    assert "typo-value" not in str(caught.value)
    path.write_text('taobao_app_secret = "unterminated\n')
    with pytest.raises(CredentialsError, match="not valid TOML"):
        load_taobao(settings(path), ENV)


def test_a_named_file_that_does_not_exist_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(CredentialsError, match="does not exist"):
        load_taobao(settings(tmp_path / "nope.toml"), ENV)


def test_webhook_url_must_be_http_and_is_not_echoed() -> None:
    with pytest.raises(CredentialsError) as caught:
        load_webhook(
            settings(), {"WAYBILL_WEBHOOK_URL": "ftp://hooks.example/token-abc", "WAYBILL_WEBHOOK_SECRET": "s3cret"}
        )
    assert "token-abc" not in str(caught.value)


def test_secrets_do_not_show_in_repr_str_or_format() -> None:
    creds = load_taobao(settings(), ENV)
    for text in (repr(creds), str(creds), f"{creds}", f"{creds.app_secret}", "%s %r" % (creds.session, creds.app_key)):  # noqa: UP031 (%-formatting is what is tested)
        for value in ENV.values():
            assert value not in text
    with pytest.raises(TypeError):
        pickle.dumps(creds.app_secret)


def test_redact_masks_every_secret_in_free_text() -> None:
    secrets = [Secret("session-from-env"), Secret("ab")]
    assert redact("bad session session-from-env, code ab", secrets) == "bad session ***, code ab"
