"""FitMyCV settings: one file, configured from environment variables.

With no variable set, a fresh checkout runs on SQLite, an embedded Celery broker (kombu's
filesystem transport), the console e-mail backend and the offline AI engine. Each outside
service is switched on by its own variable (see README.md, "Configuration").
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import django_stubs_ext
import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from core.limits import MODEL_REQUEST_TIMEOUT, SWEEP_INTERVAL

# ModelAdmin[Setting], ModelForm[Setting] and the other generics of django-stubs: subscriptable
# when the code runs too, so classes can name their model for the type checker.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.getenv("VAR_DIR", BASE_DIR / "var"))
env = environ.Env()


def envbool(name: str, default: str) -> bool:
    value = os.getenv(name, default)
    if value not in ("True", "False"):
        raise ImproperlyConfigured(f"{name} must be True or False, not {value!r}")
    return value == "True"


def envint(name: str, default: str) -> int:
    value = os.getenv(name, default)
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, not {value!r}") from None


def envsecret(name: str, default: str = "") -> str:
    """Read a secret from NAME, or from the file named by NAME_FILE (Docker/K8s secrets)."""
    path = os.getenv(f"{name}_FILE")
    if path:
        return Path(path).read_text().strip()
    return os.getenv(name, default)


DEBUG = envbool("DEBUG", "True")
DEV_SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"
SECRET_KEY = envsecret("SECRET_KEY") or (DEV_SECRET_KEY if DEBUG else "")
if not SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is False")

SITE_ROOT = os.getenv("SITE_ROOT", "http://127.0.0.1:8000").rstrip("/")
SITE_NAME = os.getenv("SITE_NAME", "FitMyCV")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[SITE_ROOT])
# Number of reverse proxies in front of the app; client IPs are read from X-Forwarded-For only
# when this is set, so a client cannot spoof its address to dodge rate limits.
TRUSTED_PROXY_COUNT = envint("TRUSTED_PROXY_COUNT", "0")
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.google",
    "allauth.socialaccount.providers.github",
    "allauth.socialaccount.providers.apple",
    "allauth.mfa",
    "django_htmx",
    "template_partials",
    "csp",
    "core",
    "telemetry",
    "jobs",
    "ai",
    "emails",
    "billing",
    "accounts",
    "joboffers",
    "cvs",
    "staff",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "accounts.middleware.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.PrivatePagesMiddleware",
    "accounts.middleware.RequestSizeLimitMiddleware",
    "core.middleware.NulByteMiddleware",
    "accounts.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "core.middleware.ServiceUnavailableMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "accounts.middleware.MaintenanceModeMiddleware",
    "accounts.middleware.StaffSecondFactorMiddleware",
]

ROOT_URLCONF = "fitmycv.urls"
WSGI_APPLICATION = "fitmycv.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.context_processors.branding",
                "core.context_processors.features",
                "billing.context_processors.credits",
            ],
        },
    },
]

# Database: SQLite by default; DATABASE_URL (postgres://...) in production.
# SQLite is tuned for the web server and the worker writing at the same time.
SQLITE_OPTIONS = {
    "timeout": 20,
    "transaction_mode": "IMMEDIATE",
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
}
DATABASES = {"default": env.db_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = SQLITE_OPTIONS
elif envbool("DB_POOL", "False") or envint("DB_POOL_MAX_SIZE", "0"):
    # Django's pool of PostgreSQL connections (psycopg-pool), per process: a web process lends
    # one per sync worker; the `llm` worker's threads share theirs, each holding a connection
    # only while it queries, not while its model call waits on the network. Django refuses a
    # pool with persistent connections, hence CONN_MAX_AGE 0 (the pool keeps them open).
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": 1,
        "max_size": envint("DB_POOL_MAX_SIZE", "4"),
        "timeout": 30,
    }
else:
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    DATABASES["default"]["CONN_MAX_AGE"] = envint("DB_CONN_MAX_AGE", "60")
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and envbool(
    "DB_PREPARED_STATEMENTS", "True"
):
    # The queries of core.prepared (the editor's, the CV list's) are prepared on a connection
    # once it has run them 5 times; Django's own queries bind client-side and never are.
    # Behind PgBouncer in transaction mode before 1.21, set DB_PREPARED_STATEMENTS=False.
    DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = 5
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Redis, when configured, is the Celery broker (db 0) and the shared cache (db 1).
REDIS_URL = os.getenv("REDIS_URL", "")


def redis_db_url(url: str, db: int) -> str:
    """The same Redis server, another database number."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{db}"))


# The longest a request waits on one Redis call (connect or answer). A Redis that is down or
# hung then costs a request at most this once: the cache turns its calls into misses and the
# broker's absence is noticed before anything is charged (core.cache, core.outage).
REDIS_TIMEOUT = envint("REDIS_TIMEOUT_MS", "500") / 1000

REDIS_SOCKET_OPTIONS = {"socket_connect_timeout": REDIS_TIMEOUT, "socket_timeout": REDIS_TIMEOUT}


def redis_cache(location: str) -> dict[str, object]:
    """The shared cache on Redis (the outage tests point it at a server of their own)."""
    return {
        "BACKEND": "core.cache.ResilientRedisCache",
        "LOCATION": location,
        "OPTIONS": REDIS_SOCKET_OPTIONS,
        # Kept in each process's memory while Redis is down: allauth's rate limits and its
        # replay guards (Google ID tokens, TOTP codes), the e-mail verification cooldown.
        "LOCAL_WHEN_DOWN": ["allauth:rl:", "jwt:", "allauth.mfa.totp.used", "accounts:resend:"],
    }


if REDIS_URL:
    CACHES = {"default": redis_cache(os.getenv("CACHE_REDIS_URL", redis_db_url(REDIS_URL, 1)))}
else:
    # A file cache is shared by the web server and the worker, unlike LocMem.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 8},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "cvs:index"

# django-allauth: e-mail is the identifier, verification is mandatory.
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_CHANGE_EMAIL = True
# Adding or changing an address, like changing the password, needs a recent sign-in
# (allauth's window: 5 minutes), else the password again.
ACCOUNT_REAUTHENTICATION_REQUIRED = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = f"[{SITE_NAME}] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if SITE_ROOT.startswith("https") else "http"
ACCOUNT_RATE_LIMITS = {
    "login_failed": "10/m/ip,5/15m/key",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
    "confirm_email": "1/m/key",
    # Wrong promo codes, per account and per client address (guessing codes).
    "promo_code_failed": os.getenv("PROMO_CODE_RATE_LIMIT", "10/h/user,30/h/ip"),
    # Free fit checks of an export (cvs.views.FIT_LIMIT): each costs about a second of CPU.
    "export_fit": os.getenv("EXPORT_FIT_RATE_LIMIT", "20/m/user"),
}
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
ACCOUNT_FORMS = {
    "signup": "accounts.forms.SignupForm",
    "reset_password": "accounts.forms.ResetPasswordForm",
}
# Security notices (password changed, e-mail changed...) go to the account's address.
ACCOUNT_EMAIL_NOTIFICATIONS = True
SOCIALACCOUNT_ADAPTER = "accounts.adapter.SocialAccountAdapter"
SOCIALACCOUNT_EMAIL_AUTHENTICATION = True
# A provider-verified address that matches an account links the provider to it for next time.
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = True
SOCIALACCOUNT_PROVIDERS: dict[str, dict] = {}
for provider, id_var, secret_var, prompt in [
    ("google", "GOOGLE_CLIENT_ID", "GOOGLE_CLIENT_SECRET", "select_account"),
    ("github", "GITHUB_CLIENT_ID", "GITHUB_CLIENT_SECRET", "select_account"),
    ("apple", "APPLE_CLIENT_ID", "APPLE_CLIENT_SECRET", "login"),
]:
    if os.getenv(id_var):
        SOCIALACCOUNT_PROVIDERS[provider] = {
            "APP": {"client_id": os.getenv(id_var), "secret": envsecret(secret_var)},
            "AUTH_PARAMS": {"prompt": prompt},
        }
if "apple" in SOCIALACCOUNT_PROVIDERS:
    SOCIALACCOUNT_PROVIDERS["apple"]["APP"]["settings"] = {
        "certificate_key": envsecret("APPLE_PRIVATE_KEY")
    }
    SOCIALACCOUNT_PROVIDERS["apple"]["APP"]["key"] = os.getenv("APPLE_KEY_ID", "")
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
# The admin and the staff dashboards refuse staff without a second factor (on in production).
STAFF_REQUIRE_2FA = envbool("STAFF_REQUIRE_2FA", str(not DEBUG))
MFA_TOTP_ISSUER = SITE_NAME

# Internationalisation: the interface in four languages, French first like the product.
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("fr", _("French")), ("de", _("German")), ("es", _("Spanish"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# The interface language chosen in the switcher lasts for the browser session; signed-in users
# also keep it on their account (User.language), which wins over the cookie.
LANGUAGE_COOKIE_AGE = None
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_SECURE = not DEBUG
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
MEDIA_ROOT = VAR_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

# Celery: Redis in production; kombu's filesystem transport needs no server in development.
CELERY_BROKER_URL = REDIS_URL or "filesystem://"
if not REDIS_URL:
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(VAR_DIR / "broker" / "queue"),
        "data_folder_out": str(VAR_DIR / "broker" / "queue"),
        "processed_folder": str(VAR_DIR / "broker" / "processed"),
        "control_folder": str(VAR_DIR / "broker" / "control"),
        "store_processed": False,
    }
else:
    # A task held by a crashed worker is redelivered after this long; the sweeper covers the rest.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": envint("CELERY_VISIBILITY", "3600"),
        **REDIS_SOCKET_OPTIONS,
    }
    CELERY_BROKER_CONNECTION_TIMEOUT = REDIS_TIMEOUT
# A message the broker refuses is not retried within the request (each try would wait up to
# REDIS_TIMEOUT): the task stays queued and the sweeper sends it again.
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 0}
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
# Three queues, each with workers of its own in production: model calls (seconds to minutes of
# waiting on the network) never hold up the upkeep (sweeper, retention) nor the e-mails.
CELERY_TASK_ROUTES = {
    "jobs.tasks.run_task": {"queue": "llm"},
    "cvs.tasks.run_task": {"queue": "llm"},  # the job runner's name before it moved to jobs
    "emails.tasks.*": {"queue": "mail"},
    "accounts.tasks.send_verification_link": {"queue": "mail"},
    "accounts.tasks.send_password_reset": {"queue": "mail"},
}
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_BEAT_SCHEDULE: dict[str, dict] = {
    # Tasks whose worker died or whose message was lost are failed and refunded; the interval
    # is part of how soon a dead worker's task is refunded (core.limits).
    "sweep-stuck-tasks": {
        "task": "jobs.tasks.sweep_stuck_tasks",
        "schedule": SWEEP_INTERVAL,
    },
    # E-mails whose message never reached the mail worker are sent again.
    "resend-forgotten-emails": {
        "task": "emails.tasks.resend_forgotten_emails",
        "schedule": crontab(minute="*/5"),
    },
}
# The staff dashboards read past days from daily roll-ups rebuilt every hour (staff.tasks).
CELERY_BEAT_SCHEDULE["dashboard-rollups"] = {
    "task": "staff.tasks.refresh_daily_rollups",
    "schedule": crontab(minute=7),
}
# Daily retention job: old e-mail logs, inactivity warnings and deletions (accounts.inactivity).
CELERY_BEAT_SCHEDULE["emails-retention"] = {
    "task": "accounts.tasks.send_inactivity_notices",
    "schedule": crontab(hour=4, minute=15),
}

# Outside services. Each is optional; the app explains what is disabled without it.
OPENAI_API_KEY = envsecret("OPENAI_API_KEY")
OPENAI_BASE_URL = os.getenv("OPENAI_BASE_URL", "")
# Seconds per request to the model: lower than core.limits.MODEL_REQUEST_TIMEOUT or capped there.
OPENAI_TIMEOUT_SECONDS = envint("OPENAI_TIMEOUT_SECONDS", str(MODEL_REQUEST_TIMEOUT))
# json_object for OpenAI-compatible servers that do not support json_schema response formats.
OPENAI_STRUCTURED_MODE = os.getenv("OPENAI_STRUCTURED_MODE", "json_schema")
if OPENAI_STRUCTURED_MODE not in ("json_schema", "json_object"):
    raise ImproperlyConfigured("OPENAI_STRUCTURED_MODE must be json_schema or json_object")
AI_ENGINE = os.getenv("AI_ENGINE", "openai" if OPENAI_API_KEY else "offline")
if AI_ENGINE not in ("openai", "offline"):
    raise ImproperlyConfigured("AI_ENGINE must be openai or offline")

# Job-offer URLs are fetched only from public addresses; tests flip this for a local server.
FETCH_ALLOW_LOOPBACK = False

STRIPE_SECRET_KEY = envsecret("STRIPE_SECRET_KEY")
STRIPE_PUBLISHABLE_KEY = os.getenv("STRIPE_PUBLISHABLE_KEY", "")
STRIPE_WEBHOOK_SECRET = envsecret("STRIPE_WEBHOOK_SECRET")
STRIPE_ENABLED = bool(STRIPE_SECRET_KEY)

DEFAULT_FROM_EMAIL = os.getenv("DEFAULT_FROM_EMAIL", f"{SITE_NAME} <noreply@fitmycv.example>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
RESEND_API_KEY = envsecret("RESEND_API_KEY")
if RESEND_API_KEY:
    EMAIL_BACKEND = "anymail.backends.resend.EmailBackend"
    ANYMAIL = {
        "RESEND_API_KEY": RESEND_API_KEY,
        "RESEND_SIGNING_SECRET": envsecret("RESEND_SIGNING_SECRET"),
    }
elif os.getenv("EMAIL_URL"):
    vars().update(env.email_url("EMAIL_URL"))
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"

# Security. Production (DEBUG=False) gets secure cookies and HSTS.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 7 * 24 * 3600
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", "True")
    SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", str(2 * 365 * 24 * 3600))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    # __Host-: the browser takes these cookies only over HTTPS, for this host and path /, so
    # a sibling subdomain cannot plant or overwrite them.
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'", "https://checkout.stripe.com", "https://billing.stripe.com"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'none'"],  # no page uses <base>: none may be injected
        "object-src": ["'none'"],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "core.logs.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": os.getenv("LOG_FORMAT", "plain"),
        }
    },
    "root": {"handlers": ["console"], "level": os.getenv("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

# Development operator commands refuse to touch a database that looks like production.
PRODUCTION_DATABASE_HINTS = env.list("PRODUCTION_DATABASE_HINTS", default=["prod"])
