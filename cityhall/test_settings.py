"""Settings for the test suite: the real settings, with test-friendly environment.

The environment is set before cityhall.settings reads it, so the suite runs
the same configuration code a city does; DATABASE_URL passes through, which
is how `make test` runs the suite again on PostgreSQL.
"""

import os
import tempfile

os.environ.setdefault("SECRET_KEY", "test-secret-key-not-for-production-" + "x" * 20)
os.environ.setdefault("EMAIL_URL", "memory:")
if "CITYHALL_VAR_DIR" not in os.environ:
    # Made here, so removed when the run ends (conftest.py pytest_unconfigure;
    # CITYHALL_KEEP_TEST_VAR=1 keeps it to look at).
    os.environ["CITYHALL_VAR_DIR"] = tempfile.mkdtemp(prefix="cityhall-test-")
    os.environ["CITYHALL_TEST_VAR_MADE"] = os.environ["CITYHALL_VAR_DIR"]
# pytest-xdist: the controller reads these settings first and its workers inherit
# its environment, so without this every worker (and every server, worker and
# command a test starts) would share one var/: media, mailbox, collected
# static files, the metrics folder `cityhall serve` empties at start.
if os.environ.get("PYTEST_XDIST_WORKER"):
    os.environ["CITYHALL_VAR_DIR"] = os.path.join(
        os.environ["CITYHALL_VAR_DIR"], os.environ["PYTEST_XDIST_WORKER"]
    )
os.environ.setdefault("DEBUG", "false")
# In memory, emptied before every test (conftest.py): rate-limit counts never
# leak from one test into the next, and tests without the database can use it.
os.environ.setdefault("CITYHALL_CACHE_URL", "locmem://")

from cityhall.settings import *  # noqa: F403

# Argon2 on purpose is slow; the suite checks behaviour, not hashing cost.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
ALLOWED_HOSTS = ["*"]
LOGGING = {"version": 1, "disable_existing_loggers": False}
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405  (WhiteNoise warns otherwise)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A file, as in production: the in-memory shared-cache database takes
    # table locks that ignore busy timeouts, so concurrency tests would test
    # a mode no city runs.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}  # noqa: F405
