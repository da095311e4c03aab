from __future__ import annotations

import pytest
from pydantic import SecretStr, ValidationError

from core.settings import Settings


def test_defaults_use_the_embedded_database() -> None:
    settings = Settings()
    assert settings.database_url == "sqlite:///addresshub.db"
    assert settings.is_sqlite


def test_environment_variables_override(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADDRESSHUB_DATABASE_URL", "postgresql+psycopg://u@/db")
    assert not Settings().is_sqlite


@pytest.mark.parametrize("placeholder", ["changeme", "", "  secret  "])
def test_placeholder_secrets_are_refused(placeholder: str) -> None:
    with pytest.raises(ValidationError, match="placeholder"):
        Settings(secret_key=SecretStr(placeholder))


def test_production_refuses_the_development_secret() -> None:
    with pytest.raises(ValidationError, match="SECRET_KEY"):
        Settings(environment="production")


def test_production_refuses_private_webhook_targets() -> None:
    with pytest.raises(ValidationError, match="private"):
        Settings(
            environment="production",
            secret_key=SecretStr("a-real-secret-of-some-length"),
            allow_private_webhook_targets=True,
        )


def test_a_short_metrics_token_is_refused() -> None:
    with pytest.raises(ValidationError, match="metrics_token"):
        Settings(metrics_token=SecretStr("short"))
    assert Settings(metrics_token=SecretStr("x" * 16)).metrics_token is not None
    assert Settings().metrics_token is None
