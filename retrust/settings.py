"""One settings file, driven by the environment.

Layering, from weakest to strongest:
1. Safe local defaults: SQLite under var/, a secret key generated into var/, DEBUG on.
2. RETRUST_ENV picks a profile: ``development`` (default), ``test`` or ``production``.
   Production turns every transport and cookie protection on and refuses to start
   without a real secret key and ALLOWED_HOSTS.
3. Individual variables (DATABASE_URL, SECRET_KEY / SECRET_KEY_FILE, ALLOWED_HOSTS,
   EMAIL_URL-style settings below) override the profile.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import tempfile
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from retrust.core import observability

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent
VAR_DIR = Path(os.environ.get("RETRUST_VAR_DIR", PROJECT_DIR / "var"))


def envbool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def envint(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def envlist(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def envsecret(name: str) -> str | None:
    """Read NAME, or the file named by NAME_FILE (for container secrets)."""
    if os.environ.get(name):
        return os.environ[name]
    path = os.environ.get(f"{name}_FILE")
    if path:
        return Path(path).read_text().strip()
    return None


RETRUST_ENV = os.environ.get("RETRUST_ENV", "development")
if RETRUST_ENV not in {"development", "test", "production"}:
    raise ImproperlyConfigured(
        f"RETRUST_ENV must be development, test or production, not {RETRUST_ENV!r}"
    )
PRODUCTION = RETRUST_ENV == "production"


def _generated_once(name: str, nbytes: int) -> str:
    """A random value generated once into var/ (readable by its owner only) and kept.

    Several processes may start at once (the test suite's workers, a server and its task
    worker): the value is written to a private temporary file and linked into place, so a
    reader never sees a half-written file and the first writer wins.
    """
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    path = VAR_DIR / name
    if not path.exists():
        fd, tmp = tempfile.mkstemp(dir=VAR_DIR, prefix=f".{name}.")  # created 0600
        try:
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_urlsafe(nbytes))
            with contextlib.suppress(FileExistsError):
                os.link(tmp, path)
        finally:
            os.unlink(tmp)
    return path.read_text().strip()


def _local_secret_key() -> str:
    """A key generated once into var/ so that local sessions survive restarts."""
    return _generated_once("secret_key", 64)


SECRET_KEY = envsecret("SECRET_KEY") or ""
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured("Set SECRET_KEY or SECRET_KEY_FILE in production.")
    SECRET_KEY = _local_secret_key()

# Key rotation: the new key in SECRET_KEY, the old ones here (comma-separated, newest first).
# Sessions, password-reset links and signed values made with an old key keep working, and
# encrypted fields written under an old key stay readable, until `retrust reencrypt` has
# re-saved them with the new key (docs: README, "Rotating the secret key").
SECRET_KEY_FALLBACKS = envlist("SECRET_KEY_FALLBACKS", [])
if not SECRET_KEY_FALLBACKS and (fallbacks := envsecret("SECRET_KEY_FALLBACKS")):
    SECRET_KEY_FALLBACKS = [k.strip() for k in fallbacks.split(",") if k.strip()]

# Field encryption (django-fernet-encrypted-fields): journals, safety answers and session notes
# are Fernet-encrypted with keys derived from SECRET_KEY and these salts. Newest salt first;
# keep old ones listed (and old secret keys in SECRET_KEY_FALLBACKS) until data is re-saved.
SALT_KEY = envlist("FIELD_ENCRYPTION_SALTS", [])
if not SALT_KEY and (salts := envsecret("FIELD_ENCRYPTION_SALTS")):
    SALT_KEY = [s.strip() for s in salts.split(",") if s.strip()]
if not SALT_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured(
            "Set FIELD_ENCRYPTION_SALTS (or FIELD_ENCRYPTION_SALTS_FILE) in production."
        )
    SALT_KEY = [_generated_once("field_salt", 32)]

DEBUG = envbool("DEBUG", default=RETRUST_ENV == "development")
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured(
        "DEBUG is on, and production never runs with it: debug pages show settings and every "
        "route to anyone. Unset DEBUG (or set DEBUG=0)."
    )
ALLOWED_HOSTS = envlist(
    "ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "[::1]", "testserver"]
)
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("Set ALLOWED_HOSTS (comma-separated) in production.")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.forms",  # its form templates, for FORM_RENDERER below
    "django_htmx",
    "template_partials",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "csp",
    "ninja",
    "retrust.core",
    "retrust.clinic",
    "retrust.safety",
    "retrust.agreements",
    "retrust.assessments",
    "retrust.conversations",
    "retrust.program",
    "retrust.notifications",
    "retrust.frontdoor",
    "retrust.sessions",
    "retrust.reports",
    "retrust.datarights",
    "retrust.threads",
    "retrust.api",
    "django_tasks",
    "django_tasks_db",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "retrust.core.middleware.RequestIdMiddleware",
    "retrust.core.middleware.PrivacyHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "retrust.core.middleware.TwoFactorRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "retrust.urls"
WSGI_APPLICATION = "retrust.wsgi.application"

# Forms render through the project's templates, so that templates/django/forms/field.html can
# put a tick box before its label, as people expect on a phone.
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "retrust.core.context_processors.navigation",
            ],
        },
    }
]

# Database: SQLite (WAL, immediate transactions) unless DATABASE_URL names another.
DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    _sqlite_path = VAR_DIR / "retrust.sqlite3"
    # Created readable by its owner only, like the secret key: it holds every record. SQLite
    # gives its -wal and -shm files the same mode as the database file.
    if not _sqlite_path.exists():
        os.close(os.open(_sqlite_path, os.O_CREAT | os.O_WRONLY, 0o600))
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": _sqlite_path,
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;PRAGMA foreign_keys=ON;"
                ),
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "core.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Sessions: a working day at most, and gone when the browser closes.
SESSION_COOKIE_AGE = envint("SESSION_COOKIE_AGE", 8 * 60 * 60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_FAILURE_VIEW = "retrust.core.views.csrf_failure"

# Login throttling (django-axes): five wrong passwords lock that email for fifteen minutes.
AXES_FAILURE_LIMIT = envint("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=envint("AXES_COOLOFF_MINUTES", 15))
# Locked by email alone, not by IP address: a whole clinic often shares one address, and one
# mistyping colleague must not lock everyone out. (axes.W006 warns about exactly this choice.)
AXES_LOCKOUT_PARAMETERS = ["username"]
# The sign-in form's field is called "username" even though it holds the email.
AXES_USERNAME_FORM_FIELD = "username"
# Counted as sign-in matches it: "Sam@Example.org " and "sam@example.org" share one counter.
AXES_USERNAME_CALLABLE = "retrust.core.lockout.lockout_username"
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_ENABLED = envbool("AXES_ENABLED", True)

# Two-factor: TOTP for clinicians and practice admins.
OTP_TOTP_ISSUER = "retrust"
RETRUST_INVITATION_DAYS = envint("RETRUST_INVITATION_DAYS", 14)
# API tokens stop working this many days after they are made.
RETRUST_API_TOKEN_DAYS = envint("RETRUST_API_TOKEN_DAYS", 90)

# "Leave quickly" swaps the page for this address: a neutral site the practice chooses (say, a
# weather page), or a path on this site. Empty means retrust's own neutral page, /away/.
RETRUST_LEAVE_URL = os.environ.get("RETRUST_LEAVE_URL", "").strip()
_leave = urlsplit(RETRUST_LEAVE_URL)
if RETRUST_LEAVE_URL and not (
    (_leave.scheme in {"http", "https"} and _leave.netloc)
    or (not _leave.scheme and not _leave.netloc and RETRUST_LEAVE_URL.startswith("/"))
):
    raise ImproperlyConfigured(
        "RETRUST_LEAVE_URL must be an http(s) address or a path starting with /, "
        f"not {RETRUST_LEAVE_URL!r}"
    )

# Email: the console locally; SMTP when EMAIL_HOST is set.
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "retrust <no-reply@localhost>")
if os.environ.get("EMAIL_HOST"):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = os.environ["EMAIL_HOST"]
    EMAIL_PORT = envint("EMAIL_PORT", 587)
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = envsecret("EMAIL_HOST_PASSWORD") or ""
    EMAIL_USE_SSL = envbool("EMAIL_USE_SSL", False)
    # Implicit TLS (port 465) and STARTTLS exclude each other; SSL wins when both are asked.
    EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", not EMAIL_USE_SSL) and not EMAIL_USE_SSL
    EMAIL_TIMEOUT = envint("EMAIL_TIMEOUT", 30)
elif PRODUCTION and not envbool("RETRUST_EMAIL_CONSOLE", False):
    raise ImproperlyConfigured(
        "No mail server is set, so invitations, password resets and reminders would never "
        "reach anyone. Set EMAIL_HOST (and EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD), "
        "or set RETRUST_EMAIL_CONSOLE=1 to write emails to the log on purpose."
    )
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"

# The address reminder emails come from. Anyone who glances at a partner's inbox sees it, so a
# neutral one (no practice name, nothing about therapy) is safest; default: DEFAULT_FROM_EMAIL's.
RETRUST_NOTIFY_FROM_EMAIL = os.environ.get("RETRUST_NOTIFY_FROM_EMAIL", "")

# Where people reach this retrust: every link in an email (invitations, password resets,
# sign-in, one-click unsubscribe) starts here. Unset outside production, links follow the
# address the request came in on (and the tick's emails use http://127.0.0.1:8000).
RETRUST_BASE_URL_SET = bool(os.environ.get("RETRUST_BASE_URL", "").strip())
RETRUST_BASE_URL = os.environ.get("RETRUST_BASE_URL", "http://127.0.0.1:8000").strip().rstrip("/")
if PRODUCTION and not RETRUST_BASE_URL_SET:
    raise ImproperlyConfigured(
        "Set RETRUST_BASE_URL to the address people use, e.g. https://retrust.example.org: "
        "every link in an email starts with it."
    )
if urlsplit(RETRUST_BASE_URL).scheme not in {"http", "https"}:
    raise ImproperlyConfigured(
        f"RETRUST_BASE_URL must start with http:// or https://, not {RETRUST_BASE_URL!r}"
    )

# Background work (the tasks API, django-tasks backport). The database backend is the default
# and needs nothing else running; RETRUST_TASKS=rq moves the queue to Redis (REDIS_URL) for a
# practice network with several workers. `retrust worker` runs whichever is configured.
RETRUST_TASKS = os.environ.get("RETRUST_TASKS", "database")
if RETRUST_TASKS not in {"database", "rq"}:
    raise ImproperlyConfigured(f"RETRUST_TASKS must be database or rq, not {RETRUST_TASKS!r}")
if RETRUST_TASKS == "rq":
    REDIS_URL = envsecret("REDIS_URL") or ""
    if not REDIS_URL:
        raise ImproperlyConfigured(
            "RETRUST_TASKS=rq needs REDIS_URL, e.g. redis://127.0.0.1:6379/0"
        )
    INSTALLED_APPS.append("django_rq")
    TASKS = {"default": {"BACKEND": "django_tasks_rq.backend.RQBackend", "QUEUES": ["default"]}}
    RQ_QUEUES = {"default": {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 300}}
else:
    TASKS = {
        "default": {"BACKEND": "django_tasks_db.backend.DatabaseBackend", "QUEUES": ["default"]}
    }

# `retrust serve --production`: gunicorn's worker processes, how long one request may take
# before its worker is replaced, which proxies may set X-Forwarded-* headers, and whether
# gunicorn writes its own access log (retrust logs one line per request anyway).
RETRUST_WEB_WORKERS = envint("RETRUST_WEB_WORKERS", 3)
RETRUST_WEB_TIMEOUT = envint("RETRUST_WEB_TIMEOUT", 30)
RETRUST_FORWARDED_ALLOW_IPS = os.environ.get("RETRUST_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
RETRUST_ACCESS_LOG = envbool("RETRUST_ACCESS_LOG", False)

# Notifications (retrust.notifications): how often a failed send is tried again, and when a
# send that a worker claimed but never finished (the worker died) is handed to another worker.
RETRUST_NOTIFY_MAX_ATTEMPTS = envint("RETRUST_NOTIFY_MAX_ATTEMPTS", 6)
RETRUST_NOTIFY_RETRY_SECONDS = envint("RETRUST_NOTIFY_RETRY_SECONDS", 60)
RETRUST_NOTIFY_CLAIM_TIMEOUT_SECONDS = envint("RETRUST_NOTIFY_CLAIM_TIMEOUT_SECONDS", 600)

# Video sessions (retrust.sessions) on a self-hosted Jitsi Meet with token authentication. With
# all three set, retrust mints a short-lived HS256 token at join time; without them a clinician's
# own fixed video link (set on their availability page) is shown instead. JITSI_AUDIENCE is the
# token's "aud" (Jitsi's default accepts the app id). Recording is never offered.
JITSI_DOMAIN = os.environ.get("JITSI_DOMAIN", "").strip().strip("/")
JITSI_APP_ID = os.environ.get("JITSI_APP_ID", "")
JITSI_APP_SECRET = envsecret("JITSI_APP_SECRET") or ""
JITSI_AUDIENCE = os.environ.get("JITSI_AUDIENCE", "")
# The token's "sub": the XMPP domain Prosody checks it against. Jitsi's Docker setup uses the
# internal "meet.jitsi" whatever the public name; elsewhere it is the public host name.
JITSI_SUBJECT = os.environ.get("JITSI_SUBJECT", "") or JITSI_DOMAIN
# The room opens this many minutes before the start (the join button appears, tokens can be
# minted) and closes at the end of the session.
RETRUST_JOIN_OPENS_MINUTES = envint("RETRUST_JOIN_OPENS_MINUTES", 10)
# Progress reports (retrust.reports): how long a prepared PDF can be downloaded before it is
# emptied, in hours.
RETRUST_REPORT_HOURS = envint("RETRUST_REPORT_HOURS", 24)

LANGUAGE_CODE = "en-gb"
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "staticfiles"))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
WHITENOISE_USE_FINDERS = not PRODUCTION
# Only the hashed copies are served (templates name them through {% static %}); source maps
# are not worth compressing (a megabyte each, fetched only by developer tools), and skipping
# both makes `collectstatic` several times faster at every `serve --production` start.
WHITENOISE_KEEP_ONLY_HASHED_FILES = True
WHITENOISE_SKIP_COMPRESS_EXTENSIONS = [
    "jpg",
    "jpeg",
    "png",
    "gif",
    "webp",
    "zip",
    "gz",
    "tgz",
    "bz2",
    "tbz",
    "xz",
    "br",
    "swf",
    "flv",
    "woff",
    "woff2",
    "3gp",
    "3gpp",
    "asf",
    "avi",
    "m4v",
    "mov",
    "mp4",
    "mpeg",
    "mpg",
    "webm",
    "wmv",
    "map",
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# Content Security Policy: only our own scripts and styles, nothing inline.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
    }
}
# Browser features no page uses, switched off for every page (PrivacyHeadersMiddleware).
# One place to open one up: video sessions, say, will need camera and microphone for
# ``["self"]`` (or the video engine's origin, quoted: '"https://meet.example.org"').
RETRUST_PERMISSIONS_POLICY: dict[str, list[str]] = {
    feature: []
    for feature in (
        "accelerometer",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "usb",
    )
}
if _leave.netloc:
    # Without JavaScript the "Leave quickly" form is answered with a redirect to that site,
    # which the form-action directive must allow.
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["form-action"].append(
        f"{_leave.scheme}://{_leave.netloc}"
    )
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

if PRODUCTION:
    SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    CSRF_COOKIE_HTTPONLY = True

# Logs: one line per event with the request id; JSON lines in production (RETRUST_LOG_FORMAT).
RETRUST_LOG_FORMAT = os.environ.get("RETRUST_LOG_FORMAT", "json" if PRODUCTION else "text")
if RETRUST_LOG_FORMAT not in {"json", "text"}:
    raise ImproperlyConfigured(
        f"RETRUST_LOG_FORMAT must be json or text, not {RETRUST_LOG_FORMAT!r}"
    )
LOGGING = observability.logging_config(
    json_lines=RETRUST_LOG_FORMAT == "json", level=os.environ.get("LOG_LEVEL", "INFO")
)

# Errors to Sentry (or GlitchTip) when SENTRY_DSN is set, with what people wrote scrubbed out.
SENTRY_DSN = envsecret("SENTRY_DSN") or ""
if SENTRY_DSN:
    observability.init_sentry(
        SENTRY_DSN, environment=os.environ.get("SENTRY_ENVIRONMENT", RETRUST_ENV)
    )
