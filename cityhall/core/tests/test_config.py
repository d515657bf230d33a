import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from cityhall import config

ROOT = Path(__file__).resolve().parents[3]
# Test-only variables a real deployment never has (browser tests set the second).
_NOT_INHERITED = {"DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE", "EMAIL_URL"}


def test_email_urls(tmp_path):
    os.environ["EMAIL_URL"] = "smtp+tls://user%40city:p%2Fss@mail.city.gov:2525?timeout=5"
    try:
        got = config.email(var=tmp_path)
    finally:
        del os.environ["EMAIL_URL"]
    assert got["EMAIL_HOST"] == "mail.city.gov"
    assert got["EMAIL_PORT"] == 2525
    assert got["EMAIL_HOST_USER"] == "user@city"
    assert got["EMAIL_HOST_PASSWORD"] == "p/ss"
    assert got["EMAIL_USE_TLS"] is True
    assert got["EMAIL_TIMEOUT"] == 5
    assert config.email(var=tmp_path)["EMAIL_BACKEND"].endswith("MailboxBackend")


def test_bad_email_url_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv("EMAIL_URL", "carrier-pigeon://coop")
    with pytest.raises(ImproperlyConfigured, match="EMAIL_URL"):
        config.email(var=tmp_path)


def test_booleans(monkeypatch):
    monkeypatch.setenv("X_FLAG", "Yes")
    assert config.env_bool("X_FLAG", False) is True
    monkeypatch.setenv("X_FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured):
        config.env_bool("X_FLAG", False)


def test_secret_key_generated_once_for_debug_and_required_otherwise(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    first = config.secret_key(var=tmp_path, debug=True)
    assert first == config.secret_key(var=tmp_path, debug=True)
    assert len(first) >= 50
    assert oct((tmp_path / "secret_key").stat().st_mode)[-3:] == "600"
    with pytest.raises(ImproperlyConfigured, match="SECRET_KEY"):
        config.secret_key(var=tmp_path / "other", debug=False)


def test_sqlite_runs_in_wal_with_immediate_transactions(tmp_path, monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    db = config.database(var=tmp_path)
    assert db["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert "journal_mode=WAL" in db["OPTIONS"]["init_command"]
    monkeypatch.setenv("DATABASE_URL", "postgres://u:p@db.internal:5432/cityhall")
    assert config.database(var=tmp_path)["ENGINE"] == "django.db.backends.postgresql"


def _cityhall(*args, env):
    return subprocess.run(
        [sys.executable, "-m", "cityhall.cli", *args],
        cwd=ROOT,
        env={**{k: v for k, v in os.environ.items() if k not in _NOT_INHERITED}, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_with_production_settings_reports_nothing(tmp_path):
    result = _cityhall(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env={
            "DEBUG": "false",
            "CITYHALL_HTTPS": "true",
            "SECRET_KEY": "k7#Vq!2mZ$" * 6,
            "ALLOWED_HOSTS": "services.city.gov",
            "CITYHALL_VAR_DIR": str(tmp_path),
            "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
            "CITYHALL_PAYMENT_PROVIDER": "stripe",
            "CITYHALL_STRIPE_SECRET_KEY": "sk_live_example",
            "CITYHALL_STRIPE_WEBHOOK_SECRET": "whsec_example",
        },
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_warns_when_payments_go_to_the_sandbox(tmp_path):
    result = _cityhall(
        "check",
        "--deploy",
        env={
            "DEBUG": "false",
            "CITYHALL_HTTPS": "true",
            "SECRET_KEY": "k7#Vq!2mZ$" * 6,
            "ALLOWED_HOSTS": "services.city.gov",
            "CITYHALL_VAR_DIR": str(tmp_path),
            "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        },
    )
    assert "cityhall.W001" in result.stdout + result.stderr


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    env = {"DEBUG": "false", "CITYHALL_VAR_DIR": str(tmp_path), "SECRET_KEY": ""}
    result = _cityhall("check", env=env)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_dashed_subcommands_are_accepted(tmp_path):
    env = {"DEBUG": "true", "CITYHALL_VAR_DIR": str(tmp_path)}
    result = _cityhall("seed-demo", "--help", env=env)
    assert result.returncode == 0, result.stderr
    assert "demo city" in result.stdout
