"""Reading CityHall's configuration from the environment.

Every setting has a default that runs on one machine with no set-up; the
environment overrides it. `docs/configuration.md` lists each variable.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off", ""}


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in TRUE_WORDS:
        return True
    if value in FALSE_WORDS:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}.")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}.") from None


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [part.strip() for part in raw.split(",") if part.strip()]


def var_dir(base_dir: Path) -> Path:
    path = Path(os.environ.get("CITYHALL_VAR_DIR") or base_dir / "var").resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path


def secret_key(*, var: Path, debug: bool) -> str:
    """The SECRET_KEY from the environment, or one generated once into var/.

    A generated key is fine for a laptop or a single-machine pilot (var/ is
    kept), but several web servers must share one key, so production
    (DEBUG off) requires it from the environment.
    """
    key = os.environ.get("SECRET_KEY", "").strip()
    if key:
        return key
    if not debug:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is off. Generate one with: "
            "python -c 'import secrets; print(secrets.token_urlsafe(50))'"
        )
    key_file = var / "secret_key"
    if not key_file.exists():
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(50))
    return key_file.read_text().strip()


def database(*, var: Path) -> dict:
    """DATABASES['default'] from DATABASE_URL; SQLite under var/ by default."""
    import dj_database_url

    url = os.environ.get("DATABASE_URL") or f"sqlite:///{var / 'cityhall.sqlite3'}"
    config = dj_database_url.parse(url, conn_max_age=env_int("CITYHALL_DB_CONN_MAX_AGE", 60))
    if config["ENGINE"] == "django.db.backends.sqlite3":
        config["CONN_MAX_AGE"] = 0
        config["OPTIONS"] = {
            # Without IMMEDIATE, concurrent writers upgrade read locks and most
            # fail with "database is locked"; WAL lets readers run alongside.
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": (
                "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;PRAGMA foreign_keys=ON;"
            ),
        }
    else:
        config["CONN_HEALTH_CHECKS"] = True
    return config


def email(*, var: Path) -> dict:
    """Email settings from EMAIL_URL.

    mailbox:                    the local mailbox under var/mailbox (the default)
    smtp://user:pass@host:port  SMTP; smtp+tls:// for STARTTLS, smtps:// for TLS
    console:                    print emails to the terminal
    memory:                     keep them in memory (tests)
    """
    url = os.environ.get("EMAIL_URL", "mailbox:")
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    query = parse_qs(parts.query)
    settings: dict = {"EMAIL_MAILBOX_DIR": var / "mailbox"}
    if scheme == "mailbox":
        settings["EMAIL_BACKEND"] = "cityhall.core.mailbox.MailboxBackend"
    elif scheme == "console":
        settings["EMAIL_BACKEND"] = "django.core.mail.backends.console.EmailBackend"
    elif scheme == "memory":
        settings["EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
    elif scheme in {"smtp", "smtp+tls", "smtps"}:
        settings.update(
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST=parts.hostname or "localhost",
            EMAIL_PORT=parts.port or {"smtp": 25, "smtp+tls": 587, "smtps": 465}[scheme],
            EMAIL_HOST_USER=unquote(parts.username or ""),
            EMAIL_HOST_PASSWORD=unquote(parts.password or ""),
            EMAIL_USE_TLS=scheme == "smtp+tls",
            EMAIL_USE_SSL=scheme == "smtps",
            EMAIL_TIMEOUT=int(query.get("timeout", ["10"])[0]),
        )
    else:
        raise ImproperlyConfigured(
            f"EMAIL_URL scheme {scheme!r} is not one of mailbox:, console:, memory:, "
            "smtp://, smtp+tls://, smtps://."
        )
    return settings


def cache() -> dict:
    url = os.environ.get("CITYHALL_CACHE_URL", "db://")
    scheme = urlsplit(url).scheme.lower()
    if scheme == "db":
        return {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "cityhall_cache",
        }
    if scheme == "locmem":
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    if scheme in {"redis", "rediss"}:
        return {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}
    raise ImproperlyConfigured(
        f"CITYHALL_CACHE_URL scheme {scheme!r} is not one of db://, locmem://, redis://."
    )
