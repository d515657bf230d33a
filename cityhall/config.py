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
    # REDIS_URL is what most hosting platforms set when they attach a Redis.
    url = os.environ.get("CITYHALL_CACHE_URL") or os.environ.get("REDIS_URL") or "db://"
    scheme = urlsplit(url).scheme.lower()
    if scheme == "db":
        return {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "cityhall_cache",
        }
    if scheme == "locmem":
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    if scheme in {"redis", "rediss"}:
        return {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": url,
            # Keys of several cities (or of tests) on one Redis never meet.
            "KEY_PREFIX": os.environ.get("CITYHALL_CACHE_PREFIX", "cityhall"),
        }
    raise ImproperlyConfigured(
        f"CITYHALL_CACHE_URL scheme {scheme!r} is not one of db://, locmem://, redis://."
    )


def database_replicas(*, primary: dict) -> dict[str, dict]:
    """Read-only replicas from DATABASE_REPLICA_URLS (comma-separated) or
    DATABASE_REPLICA_URL, as aliases replica, replica_2, ... (core/replicas.py
    sends the insights and open data reads there). In tests a replica mirrors
    the test database: nothing copies rows between two test databases."""
    import dj_database_url

    raw = os.environ.get("DATABASE_REPLICA_URLS") or os.environ.get("DATABASE_REPLICA_URL", "")
    urls = [part.strip() for part in raw.split(",") if part.strip()]
    replicas = {}
    for number, url in enumerate(urls, start=1):
        config = dj_database_url.parse(url, conn_max_age=primary.get("CONN_MAX_AGE", 60))
        if config["ENGINE"] != primary["ENGINE"]:
            raise ImproperlyConfigured(
                "A database replica must run the same engine as DATABASE_URL "
                f"({config['ENGINE']} is not {primary['ENGINE']})."
            )
        config["OPTIONS"] = {**primary.get("OPTIONS", {}), **config.get("OPTIONS", {})}
        config["CONN_HEALTH_CHECKS"] = primary.get("CONN_HEALTH_CHECKS", False)
        config["TEST"] = {"MIRROR": "default"}
        replicas["replica" if number == 1 else f"replica_{number}"] = config
    return replicas


# A failed write (disk full) leaves no partial file behind (core/storage.py).
LOCAL_STORAGE = "cityhall.core.storage.WholeFileSystemStorage"


def file_storage(*, var: Path) -> tuple[dict, Path]:
    """STORAGES['default'] and MEDIA_ROOT from CITYHALL_FILES_URL.

    (unset)                          var/media on this machine's disk
    file:///srv/cityhall/media       a folder, e.g. a volume every web and worker host mounts
    s3://bucket/prefix?endpoint_url=https://s3.example.org&region=us-west-2
                                     S3-compatible object storage (django-storages); the
                                     keys come from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY
                                     (or the machine's role), as boto3 reads them
    """
    url = os.environ.get("CITYHALL_FILES_URL", "").strip()
    media_root = var / "media"
    if not url:
        return {"BACKEND": LOCAL_STORAGE}, media_root
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme == "file":
        folder = Path(unquote(parts.path))
        if parts.netloc not in {"", "localhost"} or not folder.is_absolute():
            raise ImproperlyConfigured(
                "CITYHALL_FILES_URL=file:// needs an absolute path (file:///srv/media)."
            )
        return {"BACKEND": LOCAL_STORAGE}, folder
    if scheme == "s3":
        if not parts.hostname:
            raise ImproperlyConfigured(
                "CITYHALL_FILES_URL=s3:// needs a bucket: s3://bucket/prefix"
            )
        query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
        unknown = set(query) - {"endpoint_url", "region", "addressing_style"}
        if unknown:
            raise ImproperlyConfigured(
                f"CITYHALL_FILES_URL has unknown options: {', '.join(sorted(unknown))}."
            )
        options = {
            "bucket_name": parts.hostname,
            "location": parts.path.strip("/"),
            # Residents' files are private: links are signed and expire, never public.
            "default_acl": "private",
            "querystring_auth": True,
            "querystring_expire": 300,
            # Two uploads with one name get two objects; nothing is overwritten.
            "file_overwrite": False,
            "signature_version": "s3v4",
        }
        if query.get("endpoint_url"):
            options["endpoint_url"] = query["endpoint_url"]
        if query.get("region"):
            options["region_name"] = query["region"]
        if query.get("addressing_style"):
            options["addressing_style"] = query["addressing_style"]
        return {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options}, media_root
    raise ImproperlyConfigured(
        f"CITYHALL_FILES_URL scheme {scheme!r} is not one of file://, s3://."
    )
