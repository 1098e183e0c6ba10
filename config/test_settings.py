"""Settings for the test suite: real PostgreSQL and real Redis, as in production.

Override with DATABASE_URL / REDIS_URL; the defaults are the services that
`make test` (scripts/services.sh) starts on this machine.
"""
import os

os.environ.setdefault("SECRET_KEY", "test-secret-key-not-for-production")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/test")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/15")

from .settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast logins in tests
# Threads that tests start (live servers, the realtime scorer, sync_to_async)
# are not request handlers, so nothing would close a persistent connection
# of theirs; it would outlive the test database and block its teardown.
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405
