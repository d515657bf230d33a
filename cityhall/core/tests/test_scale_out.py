"""Settings for several machines: a shared Redis cache for rate limits, files on
S3-compatible storage, and read-only replicas for the insights reads."""

from __future__ import annotations

import secrets
import sqlite3
from datetime import timedelta

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.test import override_settings
from django.utils import timezone

from cityhall import config
from cityhall.testing import process_env, redis_url, run_cityhall

# ---- Redis ------------------------------------------------------------------


@pytest.fixture
def redis():
    url = redis_url()
    if url is None:
        pytest.skip("No Redis at 127.0.0.1:6379: the Redis tests were SKIPPED (CI runs them).")
    return url


def test_rate_limits_are_shared_by_processes_through_redis(redis, monkeypatch):
    prefix = f"test-{secrets.token_hex(6)}"
    monkeypatch.setenv("CITYHALL_CACHE_URL", redis)
    monkeypatch.setenv("CITYHALL_CACHE_PREFIX", prefix)
    caches = {"default": config.cache()}
    assert caches["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    from cityhall.core.ratelimit import allow

    key = "shared-" + secrets.token_hex(4)
    with override_settings(CACHES=caches):
        assert [allow(key, limit=3, window_seconds=60) for _ in range(2)] == [True, True]
        # Another process (another web server) counts on the same window.
        other = run_cityhall(
            "shell",
            "-v",
            "0",
            "-c",
            "from cityhall.core.ratelimit import allow;"
            f"print([allow({key!r}, limit=3, window_seconds=60) for _ in range(2)])",
            env=process_env(CITYHALL_CACHE_URL=redis, CITYHALL_CACHE_PREFIX=prefix),
        )
        assert other.stdout.strip() == "[True, False]"
        assert allow(key, limit=3, window_seconds=60) is False
        from django.core.cache import cache

        cache.delete(f"ratelimit:{key}")  # (never cache.clear(): it empties the Redis database)


def test_redis_url_is_read_when_the_cache_url_is_not_set(monkeypatch):
    monkeypatch.delenv("CITYHALL_CACHE_URL", raising=False)
    monkeypatch.setenv("REDIS_URL", "redis://cache.internal:6379/2")
    assert config.cache()["LOCATION"] == "redis://cache.internal:6379/2"
    monkeypatch.setenv("CITYHALL_CACHE_URL", "memcached://x")
    with pytest.raises(ImproperlyConfigured, match="CITYHALL_CACHE_URL"):
        config.cache()


# ---- files --------------------------------------------------------------------


def test_files_on_s3_compatible_storage(tmp_path, monkeypatch):
    monkeypatch.setenv(
        "CITYHALL_FILES_URL",
        "s3://city-files/cityhall?endpoint_url=http://127.0.0.1:9000&region=us-west-2",
    )
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test-access")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test-secret")
    storage_config, _media = config.file_storage(var=tmp_path)
    assert storage_config["BACKEND"] == "storages.backends.s3.S3Storage"
    from storages.backends.s3 import S3Storage

    storage = S3Storage(**storage_config["OPTIONS"])
    # Links to residents' files are signed and expire (made locally: no network).
    url = storage.url("police/photo.jpg")
    assert url.startswith("http://127.0.0.1:9000/city-files/cityhall/police/photo.jpg?")
    assert "X-Amz-Signature=" in url and "X-Amz-Expires=300" in url
    assert storage.file_overwrite is False and storage.default_acl == "private"

    # And the settings every process reads pick it up.
    shown = run_cityhall(
        "shell",
        "-v",
        "0",
        "-c",
        "from django.core.files.storage import storages; s = storages['default']; "
        "print(type(s).__name__, s.bucket_name, s.location)",
        env=process_env(
            CITYHALL_FILES_URL="s3://city-files/cityhall?region=us-west-2",
            AWS_ACCESS_KEY_ID="a",
            AWS_SECRET_ACCESS_KEY="b",
        ),
    )
    assert shown.stdout.split() == ["S3Storage", "city-files", "cityhall"]


def test_files_on_a_shared_folder_and_bad_urls(tmp_path, monkeypatch):
    monkeypatch.setenv("CITYHALL_FILES_URL", f"file://{tmp_path}/shared")
    storage_config, media = config.file_storage(var=tmp_path)
    assert storage_config["BACKEND"].endswith("FileSystemStorage")
    assert media == tmp_path / "shared"
    for bad, message in [
        ("file://relative/path", "absolute"),
        ("s3:///no-bucket", "bucket"),
        ("s3://b?acl=public-read", "unknown options: acl"),
        ("ftp://files", "not one of"),
    ]:
        monkeypatch.setenv("CITYHALL_FILES_URL", bad)
        with pytest.raises(ImproperlyConfigured, match=message):
            config.file_storage(var=tmp_path)


# ---- replicas -----------------------------------------------------------------


def test_replica_urls_become_aliases_that_migrate_never_touches(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", "postgres://u@db1:5432/city")
    monkeypatch.setenv("DATABASE_REPLICA_URLS", "postgres://u@db2:5432/city, postgres://u@db3/city")
    primary = config.database(var=tmp_path)
    replicas = config.database_replicas(primary=primary)
    assert list(replicas) == ["replica", "replica_2"]
    assert replicas["replica_2"]["HOST"] == "db3"
    assert replicas["replica"]["TEST"] == {"MIRROR": "default"}
    monkeypatch.setenv("DATABASE_REPLICA_URLS", "sqlite:////tmp/x.sqlite3")
    with pytest.raises(ImproperlyConfigured, match="same engine"):
        config.database_replicas(primary=primary)

    from cityhall.core.replicas import ReplicaRouter

    assert ReplicaRouter().allow_migrate("replica", "cases") is False
    assert ReplicaRouter().allow_migrate("default", "cases") is None


def _admin_connection(settings_dict):
    import psycopg

    return psycopg.connect(
        host=settings_dict["HOST"] or "127.0.0.1",
        port=settings_dict["PORT"] or 5432,
        user=settings_dict["USER"],
        password=settings_dict["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    )


@pytest.fixture
def replica_copy(tmp_path):
    """A replica that has caught up to now: a copy of the test database (dropped after)."""
    settings_dict = connection.settings_dict
    if settings_dict["ENGINE"].endswith("sqlite3"):
        target = tmp_path / "replica.sqlite3"
        with sqlite3.connect(settings_dict["NAME"]) as source, sqlite3.connect(target) as copy:
            source.backup(copy)
        yield f"sqlite:///{target}"
        return
    name = f"{settings_dict['NAME']}_replica"[:63]
    connection.close()  # CREATE DATABASE … TEMPLATE needs nobody on the template
    with _admin_connection(settings_dict) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{settings_dict["NAME"]}"')
    from cityhall.testing import database_url

    yield database_url().rsplit("/", 1)[0] + f"/{name}"
    with _admin_connection(settings_dict) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


REPLICA_PROBE = """
from datetime import date
from django.db import connections, transaction
from django.test.utils import CaptureQueriesContext
from cityhall.core.models import PeriodicJob
from cityhall.core.replicas import replica_reads, read_alias
from cityhall.insights import selectors

on = {alias: CaptureQueriesContext(connections[alias]) for alias in ("default", "replica")}
for c in on.values(): c.__enter__()
selectors.overview(date(2026, 1, 1), date(2026, 3, 31))
for c in on.values(): c.__exit__(None, None, None)
print("insights", len(on["default"].captured_queries), len(on["replica"].captured_queries) > 0)
print("outside", PeriodicJob.objects.filter(name="written-after-the-copy").exists())
with replica_reads():
    print("inside", PeriodicJob.objects.filter(name="written-after-the-copy").exists())
    with transaction.atomic():
        print("in-a-transaction", read_alias())
    PeriodicJob.objects.create(name="written-while-reading-the-replica")
print("written-to", PeriodicJob.objects.filter(name="written-while-reading-the-replica").exists())
from django.test import Client
on = {alias: CaptureQueriesContext(connections[alias]) for alias in ("default", "replica")}
for c in on.values(): c.__enter__()
response = Client(HTTP_HOST="localhost").get("/data/service-performance.csv")
body = b"".join(response.streaming_content)
page = Client(HTTP_HOST="localhost").get("/data/service-performance.json")
for c in on.values(): c.__exit__(None, None, None)
print("open-data", response.status_code, page.status_code, len(on["replica"].captured_queries) > 0)
"""


@pytest.mark.django_db(transaction=True)
def test_insights_reads_go_to_the_replica_and_everything_else_to_the_primary(replica_copy):
    # Written to the primary only: a replica that lags behind does not have it.
    from cityhall.core.models import PeriodicJob

    PeriodicJob.objects.create(
        name="written-after-the-copy", last_enqueued_at=timezone.now() - timedelta(days=1)
    )
    shown = run_cityhall(
        "shell", "-v", "0", "-c", REPLICA_PROBE, env=process_env(DATABASE_REPLICA_URL=replica_copy)
    ).stdout.split("\n")
    assert shown[:6] == [
        "insights 0 True",  # every query of the dashboard on the replica, none on the primary
        "outside True",  # ordinary reads: the primary
        "inside False",  # inside replica_reads(): the replica, which lags
        "in-a-transaction default",  # a write's own reads stay on the primary
        "written-to True",  # and writes always go to the primary
        "open-data 200 200 True",  # the open data downloads read the replica
    ]
