"""Settings, all read from the environment here and nowhere else.

DJANGO_ENV chooses the defaults: "production" (the default, so a forgotten variable fails safe),
"development" (bin/run) or "test" (bin/test). Production refuses to start without a secret key.
"""

import os
import re
import tempfile
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from wekst.csp import content_security_policy, google_analytics_origins
from wekst.database import database_settings
from wekst.env import env, env_bool, env_list
from wekst.mailers import mailer_settings
from wekst.stores import cache_settings, logging_settings

BASE_DIR = Path(__file__).resolve().parent.parent

ENVIRONMENT = env("DJANGO_ENV", "production")
if ENVIRONMENT not in {"production", "development", "test"}:
    raise ImproperlyConfigured(f"DJANGO_ENV={ENVIRONMENT!r}: use production, development or test.")
PRODUCTION = ENVIRONMENT == "production"

DEBUG = env_bool("DJANGO_DEBUG", ENVIRONMENT == "development")

SECRET_KEY = env("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is required in production. "
            "For local work set DJANGO_ENV=development (bin/run does)."
        )
    SECRET_KEY = f"insecure-{ENVIRONMENT}-only-key"  # noqa: S105 - never used in production

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])
# Proxies whose X-Forwarded-For gives the client's address (wekst/wsgi.py; deploy/).
WEKST_TRUSTED_PROXIES = env_list("WEKST_TRUSTED_PROXIES", [])

INSTALLED_APPS = [
    # Django's admin, as the back office that demands a second factor (staff.sites).
    "staff.apps.StaffAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_tasks_db",
    "django_otp",
    "django_otp.plugins.otp_totp",
    # The project's apps, one per area of the policy (docs/overview.md).
    *("wekst", "staff", "declaration", "subjects", "audit", "breaches", "mail", "content"),
    *("leads", "processors", "clinics", "assessments", "newsletter", "consent", "rights"),
    *("campaigns", "marketing", "retention", "backups"),
]

MIDDLEWARE = [
    # Outermost, so that it times the whole request; logs truncated IP addresses only (CON-05).
    "wekst.ip.RequestLogMiddleware",
    # Next (it reads no body): a body over WEKST_MAX_BODY_BYTES is refused with a 413 unread, and
    # what a view left unread of a body is drained, so keep-alive connections survive (bodylimit).
    "wekst.bodylimit.BodyLimitMiddleware",
    # A lost database connection in a view: a 503 page keeping the visitor's input (unavailable).
    "wekst.unavailable.DatabaseUnavailableMiddleware",
    # A first visit's cached page with the headers the whole stack made for it (wekst/pagecache.py).
    "wekst.pagecache.FirstVisitEarlyMiddleware",
    # consent.js's JSON POST straight to its view, past what it does not use (wekst/fastlane.py).
    "wekst.fastlane.FastLaneMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Content Security Policy on every response (SEC-03): SECURE_CSP below, own host only on a
    "consent.guard.GuardedContentSecurityPolicyMiddleware",  # health-related page (CON-10)
    # A NUL byte in a back-office address: 400 before any query (wekst/admin_guards.py).
    "wekst.admin_guards.RefuseNulBytesMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Ends staff sessions that lack the second factor or are too old (SEC-01).
    "staff.middleware.StaffSessionMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Innermost: the first-visit home page from memory (wekst/pagecache.py), so that every
    # middleware above still makes its headers for each response.
    "wekst.pagecache.FirstVisitCacheMiddleware",
]

# Seconds each process keeps pages a visitor without cookies gets (wekst/pagecache.py); 0: off.
WEKST_FIRST_VISIT_CACHE_SECONDS = int(
    env("WEKST_FIRST_VISIT_CACHE_SECONDS", "60" if PRODUCTION else "0")
)
WEKST_FIRST_VISIT_CACHE_VIEWS = ["content:home"]

if PRODUCTION:
    # Static files from the app server itself, compressed and cached forever (hashed names);
    # runserver and the test live server serve them in development.
    MIDDLEWARE.insert(2, "whitenoise.middleware.WhiteNoiseMiddleware")

ROOT_URLCONF = "wekst.urls"
WSGI_APPLICATION = "wekst.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "declaration.context_processors.controller",
            ],
        },
    },
]

# SQLite is set up for several processes writing to the one file (wekst/database.py).
DATABASES = {
    "default": database_settings(
        env("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"), production=PRODUCTION
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default"],
    }
}
# A task RUNNING this long whose worker is not known to be alive is set back to READY
# (wekst/workers.py): longer than the longest task. After this many dead workers it is failed.
TASKS_STUCK_AFTER_SECONDS = int(env("TASKS_STUCK_AFTER_SECONDS", "900"))
TASKS_MAX_WORKER_DEATHS = int(env("TASKS_MAX_WORKER_DEATHS", "5"))
# /health/ fails the worker, the scheduler, after this long without progress (wekst/health.py).
WEKST_HEALTH_WORKER_STALE_SECONDS = int(env("WEKST_HEALTH_WORKER_STALE_SECONDS", "600"))
WEKST_HEALTH_SCHEDULER_STALE_SECONDS = int(env("WEKST_HEALTH_SCHEDULER_STALE_SECONDS", "900"))

# Rate limits and the staff lock-out count in Redis at REDIS_URL (required in production,
# wekst/checks.py), else in this process's memory (bin/run, tests): wekst/stores.py.
REDIS_URL = env("REDIS_URL", "")
CACHES = {"default": cache_settings(redis_url=REDIS_URL, key_prefix=env("CACHE_KEY_PREFIX", ""))}

# Email goes through Django's email framework (MAILERS): SMTP by default; any provider through
# django-anymail by setting EMAIL_BACKEND. Development prints it decoded to the console (devmail).
EMAIL_BACKEND_PATH = env(
    "EMAIL_BACKEND",
    "wekst.devmail.EmailBackend"
    if ENVIRONMENT == "development"
    else "django.core.mail.backends.smtp.EmailBackend",
)
MAILERS = mailer_settings(
    EMAIL_BACKEND_PATH,
    host=env("EMAIL_HOST", "localhost"),
    port=int(env("EMAIL_PORT", "25")),
    username=env("EMAIL_HOST_USER", ""),
    password=env("EMAIL_HOST_PASSWORD", ""),
    use_tls=env_bool("EMAIL_USE_TLS", False),
)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "Wekst <hello@wekst.com>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# DKIM (RFC 6376): every message is signed when a key is set (mail/message.py; the DNS record in
# docs/email-delivery.md); without one mail leaves unsigned and `check --deploy` warns.
DKIM_SELECTOR = env("DKIM_SELECTOR", "")
DKIM_DOMAIN = env("DKIM_DOMAIN", "")
DKIM_PRIVATE_KEY_PATH = env("DKIM_PRIVATE_KEY_PATH", "")
# Where notifications of new leads and requests go.
WEKST_STAFF_EMAILS = env_list("WEKST_STAFF_EMAILS", ["hello@wekst.com"])

# Lead capture (LEA-01, LEA-04): spam protection with no third party. Each limit is the most
# submissions allowed per window, counted per client IP and per email address.
LEADS_RATE_LIMIT_PER_IP = int(env("LEADS_RATE_LIMIT_PER_IP", "10"))
LEADS_RATE_LIMIT_PER_ADDRESS = int(env("LEADS_RATE_LIMIT_PER_ADDRESS", "5"))
LEADS_RATE_LIMIT_WINDOW_SECONDS = int(env("LEADS_RATE_LIMIT_WINDOW_SECONDS", "3600"))
# The same submission again from the same address within this window is not stored twice.
LEADS_DUPLICATE_WINDOW_SECONDS = int(env("LEADS_DUPLICATE_WINDOW_SECONDS", "600"))

# Booking webhooks (LEA-03; docs/booking-webhooks.md): Trafft's Verification Token (from the
# Authorization header, or the body with TRAFFT_TOKEN_IN_BODY=1), Cal.com's signing secret; a
# provider without one refuses every call. Cal.com deliveries older than the tolerance are
# flagged late, ones dated further ahead refused.
TRAFFT_WEBHOOK_SECRET = env("TRAFFT_WEBHOOK_SECRET", "")
TRAFFT_TOKEN_IN_BODY = env_bool("TRAFFT_TOKEN_IN_BODY", False)
CALCOM_WEBHOOK_SECRET = env("CALCOM_WEBHOOK_SECRET", "")
WEBHOOK_TOLERANCE_SECONDS = int(env("WEBHOOK_TOLERANCE_SECONDS", "300"))

# The site's public address, for the absolute links in email (confirmation, unsubscribe). RFC 8058
# needs an HTTPS URL: set it in production (`manage.py check --deploy` says so).
WEKST_SITE_URL = env("WEKST_SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# Newsletter sign-up (LEA-04): at most this many per window, per client IP and per address.
NEWSLETTER_RATE_LIMIT_PER_IP = int(env("NEWSLETTER_RATE_LIMIT_PER_IP", "10"))
NEWSLETTER_RATE_LIMIT_PER_ADDRESS = int(env("NEWSLETTER_RATE_LIMIT_PER_ADDRESS", "3"))
NEWSLETTER_RATE_LIMIT_WINDOW_SECONDS = int(env("NEWSLETTER_RATE_LIMIT_WINDOW_SECONDS", "3600"))
# The mailto: alternative in List-Unsubscribe, for mail clients without one-click. Unset: the
# controller's address (declaration.yaml), which staff read; empty: no mailto at all.
NEWSLETTER_UNSUBSCRIBE_MAILTO = os.environ.get("NEWSLETTER_UNSUBSCRIBE_MAILTO")

# Cookie consent (CON-01..CON-08): GA4 loads only after analytics consent, never without an id.
GA4_MEASUREMENT_ID = env("GA4_MEASUREMENT_ID", "").strip()
if GA4_MEASUREMENT_ID and not re.fullmatch(r"G-[A-Z0-9]{4,20}", GA4_MEASUREMENT_ID):
    raise ImproperlyConfigured(
        f"GA4_MEASUREMENT_ID={GA4_MEASUREMENT_ID!r} is not a GA4 measurement id (G-XXXXXXX)."
    )
# A consent decision is asked again after this many days: at most 12 months (CON-08).
CONSENT_MAX_AGE_DAYS = int(env("CONSENT_MAX_AGE_DAYS", "365"))
if not 1 <= CONSENT_MAX_AGE_DAYS <= 365:
    raise ImproperlyConfigured(
        f"CONSENT_MAX_AGE_DAYS={CONSENT_MAX_AGE_DAYS}: a consent decision may last 1 to 365 days "
        "(at most 12 months; conformance item CON-08)."
    )
# The consent log keeps the visitor's IP address truncated (IPv4 /24, IPv6 /48), or none at all.
CONSENT_LOG_TRUNCATED_IP = env_bool("CONSENT_LOG_TRUNCATED_IP", True)
# Decisions accepted per client IP per window (rate limit of the consent endpoint).
CONSENT_RATE_LIMIT_PER_IP = int(env("CONSENT_RATE_LIMIT_PER_IP", "30"))
CONSENT_RATE_LIMIT_WINDOW_SECONDS = int(env("CONSENT_RATE_LIMIT_WINDOW_SECONDS", "600"))

# Articles, comments, registered users and uploads (COM-01, USR-01, UPL-01, CHI-01).
# Comment, sign-up, sign-in and child-report forms: at most this many per window, per client IP
# and per email address (or username, for sign-in).
CONTENT_RATE_LIMIT_PER_IP = int(env("CONTENT_RATE_LIMIT_PER_IP", "10"))
CONTENT_RATE_LIMIT_PER_ADDRESS = int(env("CONTENT_RATE_LIMIT_PER_ADDRESS", "5"))
CONTENT_RATE_LIMIT_WINDOW_SECONDS = int(env("CONTENT_RATE_LIMIT_WINDOW_SECONDS", "3600"))
# A sign-up link (content/signup.py) creates the account within this many hours.
CONTENT_SIGNUP_LINK_HOURS = int(env("CONTENT_SIGNUP_LINK_HOURS", "48"))
# Uploaded images: the largest file accepted, and the most pixels it may decode to (a small file
# that would decompress into a huge bitmap, a "decompression bomb", is refused).
CONTENT_UPLOAD_MAX_BYTES = int(env("CONTENT_UPLOAD_MAX_BYTES", str(10 * 1024 * 1024)))
# The largest request body (refused unread, 413): the largest image and 1 MB for its form;
# Django's own 2.5 MB still limits a form's fields (wekst/bodylimit.py).
WEKST_MAX_BODY_BYTES = int(env("WEKST_MAX_BODY_BYTES", str(CONTENT_UPLOAD_MAX_BYTES + 2**20)))
CONTENT_UPLOAD_MAX_PIXELS = int(env("CONTENT_UPLOAD_MAX_PIXELS", str(40_000_000)))
# A report that a child's data was given opens an erasure request due in this many days (CH-02).
CHILD_REPORT_DUE_DAYS = int(env("CHILD_REPORT_DUE_DAYS", "7"))
# Uploaded media. In production the web server serves MEDIA_ROOT at MEDIA_URL; the app serves it
# itself only where WEKST_SERVE_MEDIA is on (development and tests by default).
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(BASE_DIR / "media")))
MEDIA_URL = "/media/"
WEKST_SERVE_MEDIA = env_bool("WEKST_SERVE_MEDIA", not PRODUCTION)

# Privacy requests (RIG-01..06): hours a verification link works (once); minutes of a portal
# session and of a download link.
RIGHTS_VERIFICATION_HOURS = int(env("RIGHTS_VERIFICATION_HOURS", "48"))
RIGHTS_PORTAL_SESSION_MINUTES = int(env("RIGHTS_PORTAL_SESSION_MINUTES", "60"))
RIGHTS_DOWNLOAD_LINK_MINUTES = int(env("RIGHTS_DOWNLOAD_LINK_MINUTES", "10"))
# A verified access request's report can be fetched again (with a new link) for this many days.
RIGHTS_REPORT_AVAILABLE_DAYS = int(env("RIGHTS_REPORT_AVAILABLE_DAYS", "30"))
# Staff are reminded of requests due within this many days.
RIGHTS_REMINDER_DAYS = int(env("RIGHTS_REMINDER_DAYS", "7"))
# Portal submissions allowed per window, per client IP and per email address.
RIGHTS_RATE_LIMIT_PER_IP = int(env("RIGHTS_RATE_LIMIT_PER_IP", "10"))
RIGHTS_RATE_LIMIT_PER_ADDRESS = int(env("RIGHTS_RATE_LIMIT_PER_ADDRESS", "3"))
RIGHTS_RATE_LIMIT_WINDOW_SECONDS = int(env("RIGHTS_RATE_LIMIT_WINDOW_SECONDS", "3600"))
# The erasure ledger (RIG-04): append-only, OUTSIDE the database and its backups, so erasures
# survive a restore.
_TMP = Path(tempfile.gettempdir())
WEKST_ERASURE_LEDGER_PATH = Path(
    env("WEKST_ERASURE_LEDGER_PATH", str(_TMP / "wekst-test-erasure-ledger.jsonl"))
    if ENVIRONMENT == "test"
    else env("WEKST_ERASURE_LEDGER_PATH", str(BASE_DIR / "var" / "erasure-ledger.jsonl"))
)
# Processor connectors (processors/; unset: staff act by hand): GA4, Brevo (its account's attribute
# names; its event webhook's token), Trafft's API v2 (https://<subdomain>.trafft.com/api/v2).
GA4_PROPERTY_ID = env("GA4_PROPERTY_ID", "")
GA4_OAUTH_CLIENT_ID = env("GA4_OAUTH_CLIENT_ID", "")
GA4_OAUTH_CLIENT_SECRET = env("GA4_OAUTH_CLIENT_SECRET", "")
GA4_OAUTH_REFRESH_TOKEN = env("GA4_OAUTH_REFRESH_TOKEN", "")
GA4_OAUTH_TOKEN_URL = env("GA4_OAUTH_TOKEN_URL", "https://oauth2.googleapis.com/token")
GA4_USER_DELETION_URL = env(
    "GA4_USER_DELETION_URL",
    "https://www.googleapis.com/analytics/v3/userDeletion/userDeletionRequests:upsert",
)
BREVO_API_KEY = env("BREVO_API_KEY", "")
BREVO_API_URL = env("BREVO_API_URL", "https://api.brevo.com/v3").rstrip("/")
BREVO_ATTRIBUTE_FIRST_NAME = env("BREVO_ATTRIBUTE_FIRST_NAME", "FIRSTNAME")
BREVO_ATTRIBUTE_LAST_NAME = env("BREVO_ATTRIBUTE_LAST_NAME", "LASTNAME")
BREVO_ATTRIBUTE_PHONE = env("BREVO_ATTRIBUTE_PHONE", "SMS")
BREVO_WEBHOOK_TOKEN = env("BREVO_WEBHOOK_TOKEN", "")
TRAFFT_API_URL = env("TRAFFT_API_URL", "").rstrip("/")
TRAFFT_CLIENT_ID = env("TRAFFT_CLIENT_ID", "")
TRAFFT_CLIENT_SECRET = env("TRAFFT_CLIENT_SECRET", "")
TRAFFT_SERVICE_ID, TRAFFT_EMPLOYEE_ID = env("TRAFFT_SERVICE_ID", ""), env("TRAFFT_EMPLOYEE_ID", "")
CALCOM_ERASURE_URL = env("CALCOM_ERASURE_URL", "")

if ENVIRONMENT == "test":
    # Tests sign staff in hundreds of times; the production hasher (PBKDF2, slow on purpose,
    # checklist SB-02) would cost most of a second each time.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# English is the default and unprefixed; Norwegian bokmål lives under /nb/.
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("nb", _("Norwegian Bokmål"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Each language's own date style: "26 November 2026", "26. november 2026" (wekst/formats).
FORMAT_MODULE_PATH = ["wekst.formats"]
TIME_ZONE = "Europe/Oslo"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
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

SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", PRODUCTION)
SECURE_HSTS_SECONDS = 31_536_000 if PRODUCTION else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = PRODUCTION
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if PRODUCTION else None
# Monitoring may ask over plain HTTP on the host itself (wekst/health.py).
SECURE_REDIRECT_EXEMPT = [r"^health/(web/)?$"]
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
X_FRAME_OPTIONS = "DENY"

# Content Security Policy (SEC-03), Django's own middleware: wekst/csp.py says what it allows
# and why. Google's hosts only when GA4 is configured.
GOOGLE_ANALYTICS_ORIGINS = google_analytics_origins(measurement_id=GA4_MEASUREMENT_ID)
SECURE_CSP = content_security_policy(google_analytics_origins=GOOGLE_ANALYTICS_ORIGINS)

# Staff sign-in (SEC-01): password, then a TOTP code (django-otp). Failures are counted per
# username and per client IP (staff/lockout.py); the N-th failure within the window locks that
# username or IP out for the lock-out period, the right password included.
STAFF_SIGN_IN_MAX_FAILURES_PER_USERNAME = int(env("STAFF_SIGN_IN_MAX_FAILURES_PER_USERNAME", "5"))
STAFF_SIGN_IN_MAX_FAILURES_PER_IP = int(env("STAFF_SIGN_IN_MAX_FAILURES_PER_IP", "20"))
STAFF_SIGN_IN_FAILURE_WINDOW_SECONDS = int(env("STAFF_SIGN_IN_FAILURE_WINDOW_SECONDS", "900"))
STAFF_SIGN_IN_LOCKOUT_SECONDS = int(env("STAFF_SIGN_IN_LOCKOUT_SECONDS", "900"))
if min(STAFF_SIGN_IN_MAX_FAILURES_PER_USERNAME, STAFF_SIGN_IN_MAX_FAILURES_PER_IP) < 2:
    raise ImproperlyConfigured("STAFF_SIGN_IN_MAX_FAILURES_PER_* must be 2 or more.")
# The code must follow the password within this time, or the sign-in starts again.
STAFF_SIGN_IN_STEP_SECONDS = int(env("STAFF_SIGN_IN_STEP_SECONDS", "300"))
# A session lasts at most this long however active it is, and ends when the browser closes.
STAFF_SESSION_MAX_AGE_SECONDS = int(env("STAFF_SESSION_MAX_AGE_SECONDS", str(8 * 3600)))
SESSION_COOKIE_AGE = STAFF_SESSION_MAX_AGE_SECONDS
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
OTP_TOTP_ISSUER = "Wekst"
# Administrators manage devices (delete a lost one) but never see another person's secret.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

# Breaches (SEC-02): a clinic is told within this many hours (Art. 33(2), CL-05: 24 h); the 72
# hours for Datatilsynet (Art. 33(1)) are the law, not a setting.
BREACH_CLINIC_NOTICE_HOURS = int(env("BREACH_CLINIC_NOTICE_HOURS", "24"))

# The declaration of processing: the one file the policy pages and records are generated from.
WEKST_DECLARATION_PATH = Path(
    env("WEKST_DECLARATION_PATH", str(BASE_DIR / "declaration" / "declaration.yaml"))
)

# Retention (policy §7; RET-02): ids erased per transaction by the daily sweep. Small enough that
# no lock is held long (docs/benchmarks.md), large enough that a sweep of 100,000 records is quick.
RETENTION_BATCH_SIZE = int(env("RETENTION_BATCH_SIZE", "1000"))
if RETENTION_BATCH_SIZE < 1:
    raise ImproperlyConfigured("RETENTION_BATCH_SIZE must be at least 1.")
# Retention at processors (RT-09): the reconciliation reports what is still held after this many
# days (retries and new sign-ups are not), reading at most this many pages per run.
RETENTION_RECONCILIATION_GRACE_DAYS = int(env("RETENTION_RECONCILIATION_GRACE_DAYS", "14"))
RETENTION_RECONCILIATION_MAX_PAGES = int(env("RETENTION_RECONCILIATION_MAX_PAGES", "20"))
if RETENTION_RECONCILIATION_GRACE_DAYS < 0 or RETENTION_RECONCILIATION_MAX_PAGES < 1:
    raise ImproperlyConfigured(
        "RETENTION_RECONCILIATION_GRACE_DAYS must be 0 or more, _MAX_PAGES at least 1."
    )
# Contracts, accounting documents: private files, for staff only (tests: not in the tree).
WEKST_PRIVATE_FILES_ROOT = Path(
    env("WEKST_PRIVATE_FILES_ROOT", str(_TMP / "wekst-test-private"))
    if ENVIRONMENT == "test"  # tests never write into the working tree
    else env("WEKST_PRIVATE_FILES_ROOT", str(BASE_DIR / "private"))
)
# The key that encrypts backups (docs/backups.md); `manage.py backup` refuses to run without it.
WEKST_BACKUP_KEY = env("WEKST_BACKUP_KEY", "")
# One line per request, without personal data (wekst/stores.py).
LOGGING = logging_settings(level=env("DJANGO_LOG_LEVEL", "INFO"))
