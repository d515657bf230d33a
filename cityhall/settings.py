"""Django settings for CityHall. Everything a city changes comes from the
environment (see cityhall/config.py and docs/configuration.md)."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

from django.utils.translation import gettext_lazy as _

from cityhall import config

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = config.var_dir(BASE_DIR)

DEBUG = config.env_bool("DEBUG", False)
SECRET_KEY = config.secret_key(var=VAR_DIR, debug=DEBUG)
ALLOWED_HOSTS = config.env_list(
    "ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG else ["localhost", "127.0.0.1"]
)
CSRF_TRUSTED_ORIGINS = config.env_list("CITYHALL_CSRF_TRUSTED_ORIGINS", [])

CITY_NAME = os.environ.get("CITYHALL_CITY_NAME", "City of Port Alder")
CITY_NAMES = {
    "en": CITY_NAME,
    "es": os.environ.get("CITYHALL_CITY_NAME_ES") or CITY_NAME.replace("City of ", "Ciudad de ", 1),
}
CITY_SITE_URL = os.environ.get("CITYHALL_SITE_URL", "http://127.0.0.1:8000").rstrip("/")
CITYHALL_HTTPS = config.env_bool("CITYHALL_HTTPS", False)
# Staff sessions end after this much idle time (CJIS Security Policy 5.5.5).
STAFF_IDLE_TIMEOUT = timedelta(minutes=config.env_int("CITYHALL_STAFF_IDLE_MINUTES", 30))
# The worker is "stale" in /healthz after this many seconds without a heartbeat.
WORKER_STALE_SECONDS = config.env_int("CITYHALL_WORKER_STALE_SECONDS", 120)
# Tasks one `cityhall worker` process runs at once (core/worker.py).
CITYHALL_WORKER_THREADS = config.env_int("CITYHALL_WORKER_THREADS", 2)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "ninja",
    # foundations and core
    "cityhall.core",
    "cityhall.accounts",
    "cityhall.cases",
    "cityhall.documents",
    "cityhall.notifications",
    "cityhall.payments",
    # services
    "cityhall.police",
    "cityhall.reservations",
    "cityhall.permits",
    "cityhall.formbuilder",
    # reporting (reads everything, read by nobody)
    "cityhall.insights",
    "cityhall.ideas",
    "cityhall.opendata",
]

MIDDLEWARE = [
    "cityhall.core.observability.RequestIdMiddleware",
    "cityhall.core.security.RejectNulCharactersMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "cityhall.core.security.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "cityhall.accounts.middleware.StaffIdleTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "cityhall.urls"
WSGI_APPLICATION = "cityhall.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "cityhall" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "cityhall.core.context_processors.city",
            ],
        },
    },
]

DATABASES = {"default": config.database(var=VAR_DIR)}
DATABASES.update(config.database_replicas(primary=DATABASES["default"]))
# Writes and most reads go to the primary; code that reads inside
# core.replicas.replica_reads() goes to a replica when one is configured.
DATABASE_ROUTERS = ["cityhall.core.replicas.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
# NIST SP 800-63B: length over composition, a blocklist, no forced rotation.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "cityhall.accounts.passwords.LengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "cityhall.accounts.passwords.RepetitionValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:after-login"
LOGOUT_REDIRECT_URL = "core:home"

# django-axes: lock an account+address pair after repeated failures.
AXES_FAILURE_LIMIT = config.env_int("CITYHALL_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_USERNAME_FORM_FIELD = "username"
AXES_VERBOSE = False
CITYHALL_PROXY_COUNT = config.env_int("CITYHALL_PROXY_COUNT", 0)
AXES_IPWARE_PROXY_COUNT = CITYHALL_PROXY_COUNT or None

OTP_TOTP_ISSUER = CITY_NAME

SESSION_COOKIE_AGE = int(timedelta(days=14).total_seconds())
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("es", _("Spanish"))]
LOCALE_PATHS = [BASE_DIR / "cityhall" / "locale"]
TIME_ZONE = os.environ.get("CITYHALL_TIME_ZONE", "America/Los_Angeles")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
# npm's build copies USWDS, htmx and Chart.js here (not committed).
STATICFILES_DIRS = [BASE_DIR / "build" / "static"]
MEDIA_URL = "/media/"
# Uploaded and generated files: var/media, a shared folder, or S3-compatible
# storage (CITYHALL_FILES_URL; config.file_storage).
_files, MEDIA_ROOT = config.file_storage(var=VAR_DIR)
STORAGES = {
    "default": _files,
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if config.env_bool("CITYHALL_PLAIN_STATIC", False)
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_MAX_AGE = 3600

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# Rate limits and lockouts must be shared by every web process: the default is a
# table in the database (no extra service); CITYHALL_CACHE_URL=redis://… when
# the city runs Redis, locmem:// for a single process.
CACHES = {"default": config.cache()}

_email = config.email(var=VAR_DIR)
EMAIL_MAILBOX_DIR = _email.pop("EMAIL_MAILBOX_DIR")
globals().update(_email)
DEFAULT_FROM_EMAIL = os.environ.get(
    "CITYHALL_FROM_EMAIL", f"{CITY_NAME} <no-reply@cityhall.example.org>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Security headers that hold everywhere; HTTPS-only ones below.
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if CITYHALL_HTTPS:
    SECURE_SSL_REDIRECT = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^livez$"]
    SECURE_HSTS_SECONDS = 63072000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"

NINJA_PAGINATION_PER_PAGE = 50

# Logs go to standard error: JSON lines in production (for a log shipper), plain
# text when DEBUG is on; every line carries the request id (core/observability.py).
LOG_FORMAT = os.environ.get("CITYHALL_LOG_FORMAT", "plain" if DEBUG else "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "cityhall.core.observability.RequestIdFilter"}},
    # (the filter also puts the URL pattern in place of the path in Django's own
    # error lines: paths can carry a status link's token)
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {"()": "cityhall.core.observability.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json" if LOG_FORMAT == "json" else "plain",
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("CITYHALL_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
        # One line per request (method, URL pattern, status, time): on when asked.
        "cityhall.request": {
            "level": os.environ.get(
                "CITYHALL_REQUEST_LOG_LEVEL", "INFO" if LOG_FORMAT == "json" else "WARNING"
            )
        },
        # 4xx warnings repeat the request line; errors (5xx) still log.
        "django.request": {"level": "ERROR"},
    },
}
# Bearer token Prometheus sends to read /metrics; empty switches /metrics off.
CITYHALL_METRICS_TOKEN = os.environ.get("CITYHALL_METRICS_TOKEN", "")
CSRF_FAILURE_VIEW = "cityhall.core.views.csrf_failure"
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"
CITYHALL_UPLOAD_MAX_BYTES = config.env_int("CITYHALL_UPLOAD_MAX_BYTES", 8_000_000)
DATA_UPLOAD_MAX_MEMORY_SIZE = 12_000_000
FILE_UPLOAD_MAX_MEMORY_SIZE = 12_000_000
# No file, whatever a permit type allows, is kept bigger than this; past it the
# bytes are dropped as they arrive (cases/upload_handlers.py) and the form says "too big".
CITYHALL_UPLOAD_HARD_MAX_BYTES = config.env_int("CITYHALL_UPLOAD_HARD_MAX_BYTES", 50_000_000)
FILE_UPLOAD_HANDLERS = [
    "cityhall.cases.upload_handlers.CappedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
DATA_UPLOAD_MAX_NUMBER_FILES = 20
# Virus scanning through ClamAV's daemon (tcp://host:3310 or unix:///run/clamav/clamd.ctl):
# uploads are held until clamd says they are clean (docs/uploads.md). Empty: no scan.
CLAMAV_URL = os.environ.get("CLAMAV_URL", "")
CITYHALL_SCAN_TIMEOUT = config.env_int("CITYHALL_SCAN_TIMEOUT", 60)
# While clamd is unreachable: retried after 30 s, 1 min, 2 min … at most hourly; files stay held.
CITYHALL_SCAN_RETRY_SECONDS = config.env_int("CITYHALL_SCAN_RETRY_SECONDS", 30)

# Email delivery: retries with exponential backoff from this many seconds
# (30 s, 60 s, 2 min … capped at 1 h), up to this many attempts (about 8 hours).
CITYHALL_EMAIL_RETRY_SECONDS = config.env_int("CITYHALL_EMAIL_RETRY_SECONDS", 30)
CITYHALL_EMAIL_MAX_ATTEMPTS = config.env_int("CITYHALL_EMAIL_MAX_ATTEMPTS", 12)
# A worker keeps its mail-server session open between emails (notifications/connections.py).
CITYHALL_SMTP_IDLE_SECONDS = config.env_int("CITYHALL_SMTP_IDLE_SECONDS", 30)
CITYHALL_SMTP_MESSAGES_PER_CONNECTION = config.env_int("CITYHALL_SMTP_MESSAGES_PER_CONNECTION", 100)
# Emails not tied to a case (resume links, staff alerts) are deleted after this many days.
CITYHALL_EMAIL_RETENTION_DAYS = config.env_int("CITYHALL_EMAIL_RETENTION_DAYS", 90)
# The audit log (sign-ins, personal-data reads, decisions) is kept at least a
# year (CJIS 5.4.7); a lower value is raised to 365 (core/audit.py).
CITYHALL_AUDIT_RETENTION_DAYS = max(365, config.env_int("CITYHALL_AUDIT_RETENTION_DAYS", 365))

# Police reports: days a resident has to answer a request for information, and
# days rejected and expired reports (and abandoned drafts) are kept before the purge.
CITYHALL_POLICE_INFO_DAYS = config.env_int("CITYHALL_POLICE_INFO_DAYS", 15)
# Shown wherever residents are told to call instead of reporting online.
CITYHALL_POLICE_PHONE = os.environ.get("CITYHALL_POLICE_PHONE", "(555) 010-0199")
CITYHALL_POLICE_RETENTION_DAYS = config.env_int("CITYHALL_POLICE_RETENTION_DAYS", 730)
CITYHALL_DRAFT_RETENTION_DAYS = config.env_int("CITYHALL_DRAFT_RETENTION_DAYS", 30)
# Finished background tasks (their arguments name cases and emails), sign-in
# records (address and user name; the audit log keeps its own copy), and the
# payment providers' event bodies (payer's email and card's last four digits)
# are kept this many days; docs/operations.md lists every retention.
CITYHALL_TASK_RESULT_RETENTION_DAYS = config.env_int("CITYHALL_TASK_RESULT_RETENTION_DAYS", 14)
CITYHALL_SIGNIN_LOG_RETENTION_DAYS = config.env_int("CITYHALL_SIGNIN_LOG_RETENTION_DAYS", 365)
CITYHALL_PAYMENT_PAYLOAD_RETENTION_DAYS = config.env_int(
    "CITYHALL_PAYMENT_PAYLOAD_RETENTION_DAYS", 400
)
# A status link in an email is a key to the resident's request: it stops working
# after this many days (a fresh one comes from the look-up by reference and email).
CITYHALL_TRACKING_LINK_DAYS = config.env_int("CITYHALL_TRACKING_LINK_DAYS", 180)
# Facility bookings: minutes a chosen time is held while the resident pays.
CITYHALL_BOOKING_HOLD_MINUTES = config.env_int("CITYHALL_BOOKING_HOLD_MINUTES", 15)
# Minutes after a case closes before the satisfaction survey email goes out.
CITYHALL_SURVEY_DELAY_MINUTES = config.env_int("CITYHALL_SURVEY_DELAY_MINUTES", 60)
# Records management system hand-off: signed JSON POSTed here on approval (blank: skipped).
CITYHALL_RMS_URL = os.environ.get("CITYHALL_RMS_URL", "")
CITYHALL_RMS_SECRET = os.environ.get("CITYHALL_RMS_SECRET", "")
CITYHALL_RMS_MAX_ATTEMPTS = config.env_int("CITYHALL_RMS_MAX_ATTEMPTS", 6)
CITYHALL_RMS_RETRY_SECONDS = config.env_int("CITYHALL_RMS_RETRY_SECONDS", 60)

# Public API submissions allowed per client address: "count/seconds".
CITYHALL_PUBLIC_SUBMIT_RATE = os.environ.get("CITYHALL_PUBLIC_SUBMIT_RATE", "30/3600")
# Open311 requests posted with one api_key (a partner's server posts for many residents).
CITYHALL_OPEN311_KEY_RATE = os.environ.get("CITYHALL_OPEN311_KEY_RATE", "300/3600")

# Payments (docs/payments.md). The provider new checkouts go to: "sandbox" (a test
# checkout served by CityHall itself; no money moves) or "stripe" (Stripe Checkout).
CITYHALL_PAYMENT_PROVIDER = os.environ.get("CITYHALL_PAYMENT_PROVIDER", "sandbox").strip().lower()
if CITYHALL_PAYMENT_PROVIDER not in {"sandbox", "stripe"}:
    raise config.ImproperlyConfigured(
        f"CITYHALL_PAYMENT_PROVIDER must be sandbox or stripe, not {CITYHALL_PAYMENT_PROVIDER!r}."
    )
CITYHALL_CURRENCY = os.environ.get("CITYHALL_CURRENCY", "USD").strip().upper()
CITYHALL_STRIPE_SECRET_KEY = os.environ.get("CITYHALL_STRIPE_SECRET_KEY", "")
CITYHALL_STRIPE_WEBHOOK_SECRET = os.environ.get("CITYHALL_STRIPE_WEBHOOK_SECRET", "")
CITYHALL_STRIPE_API_BASE = os.environ.get("CITYHALL_STRIPE_API_BASE", "https://api.stripe.com")
# Seconds to wait for the payment provider's API before the outcome counts as unknown.
CITYHALL_PAYMENT_PROVIDER_TIMEOUT_SECONDS = config.env_int(
    "CITYHALL_PAYMENT_PROVIDER_TIMEOUT_SECONDS", 10
)
if CITYHALL_PAYMENT_PROVIDER == "stripe" and not (
    CITYHALL_STRIPE_SECRET_KEY and CITYHALL_STRIPE_WEBHOOK_SECRET
):
    raise config.ImproperlyConfigured(
        "CITYHALL_PAYMENT_PROVIDER=stripe needs CITYHALL_STRIPE_SECRET_KEY and "
        "CITYHALL_STRIPE_WEBHOOK_SECRET."
    )
# Signs the sandbox's webhooks; derived from SECRET_KEY when blank.
CITYHALL_SANDBOX_WEBHOOK_SECRET = os.environ.get("CITYHALL_SANDBOX_WEBHOOK_SECRET", "")
# A convenience fee passed to people who pay online, if the city chooses: a fixed
# amount in cents plus basis points (hundredths of a percent) of the amount due.
CITYHALL_CONVENIENCE_FEE_CENTS = config.env_int("CITYHALL_CONVENIENCE_FEE_CENTS", 0)
CITYHALL_CONVENIENCE_FEE_BPS = config.env_int("CITYHALL_CONVENIENCE_FEE_BPS", 0)
if CITYHALL_CONVENIENCE_FEE_CENTS < 0 or CITYHALL_CONVENIENCE_FEE_BPS < 0:
    raise config.ImproperlyConfigured("Convenience fees cannot be negative.")
# How long a hosted checkout stays open, and the days an invoice gives to pay.
CITYHALL_CHECKOUT_MINUTES = config.env_int("CITYHALL_CHECKOUT_MINUTES", 60)
CITYHALL_INVOICE_DUE_DAYS = config.env_int("CITYHALL_INVOICE_DUE_DAYS", 30)

# Inside the city: its state and ZIP codes (core/places.py), for addresses residents give.
CITYHALL_CITY_STATE = os.environ.get("CITYHALL_CITY_STATE", "CA").strip().upper()
CITYHALL_CITY_ZIP_CODES = config.env_list(
    "CITYHALL_CITY_ZIP_CODES", ["90731", "90732", "90733", "90744"]
)
# Permits: days an applicant has to answer a correction request; inspections per half-day.
CITYHALL_PERMIT_CORRECTION_DAYS = config.env_int("CITYHALL_PERMIT_CORRECTION_DAYS", 30)
CITYHALL_PERMIT_INSPECTIONS_PER_SLOT = config.env_int("CITYHALL_PERMIT_INSPECTIONS_PER_SLOT", 4)

# Staff ideas: the digital team answers every new idea within this many days
# (calendar days; the queue flags ideas past it). docs/ideas.md
CITYHALL_IDEAS_ANSWER_DAYS = config.env_int("CITYHALL_IDEAS_ANSWER_DAYS", 10)

# Open data (docs/opendata.md): no published cell counts fewer people than this
# (with complementary suppression, so none can be worked out by subtraction);
# downloads per client address, as "hits/seconds".
CITYHALL_OPEN_DATA_MIN_CELL = max(1, config.env_int("CITYHALL_OPEN_DATA_MIN_CELL", 5))
CITYHALL_OPEN_DATA_RATE = os.environ.get("CITYHALL_OPEN_DATA_RATE", "120/60")
CITYHALL_OPEN_DATA_EMAIL = os.environ.get(
    "CITYHALL_OPEN_DATA_EMAIL", "opendata@cityhall.example.org"
)
