"""Settings come from the environment; the embedded defaults are safe."""
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run_python(code: str, tmp_path, **env) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG", "ALLOWED_HOSTS", "DATABASE_URL", "REDIS_URL"}}
    clean.update(DJANGO_SETTINGS_MODULE="config.settings", VAR_DIR=str(tmp_path), **env)
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=120)


def test_secret_key_is_required_when_debug_is_off(tmp_path):
    result = run_python("import django; django.setup()", tmp_path, DEBUG="0")
    assert result.returncode != 0 and "SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_a_deployment_marker_without_a_secret_key_refuses_to_start(tmp_path):
    # ALLOWED_HOSTS names the host a deployment is reached by: a deployment, so no generated key.
    result = run_python("import django; django.setup()", tmp_path, ALLOWED_HOSTS="news.example")
    assert result.returncode != 0 and "SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_a_clone_with_nothing_set_gets_make_runs_development_defaults(tmp_path):
    # What a plain `.venv/bin/python manage.py ...` in a fresh clone sees: no DEBUG, no SECRET_KEY.
    code = "import django; django.setup(); from django.conf import settings; print(settings.DEBUG, settings.SECRET_KEY)"
    first = run_python(code, tmp_path)
    second = run_python(code, tmp_path)
    assert first.returncode == 0, first.stderr
    debug, key = first.stdout.split()
    assert debug == "True" and key == (tmp_path / "secret_key").read_text().strip() and len(key) > 40
    assert first.stdout == second.stdout


def test_a_development_secret_key_is_generated_once_and_kept(tmp_path):
    code = "import django; django.setup(); from django.conf import settings; print(settings.SECRET_KEY)"
    first = run_python(code, tmp_path, DEBUG="1")
    second = run_python(code, tmp_path, DEBUG="1")
    assert first.returncode == 0, first.stderr
    assert first.stdout == second.stdout and len(first.stdout.strip()) > 40
    assert oct((tmp_path / "secret_key").stat().st_mode)[-3:] == "600"


def test_the_embedded_default_is_sqlite_in_wal_mode_and_the_embedded_redis_socket(tmp_path):
    code = (
        "import django; django.setup(); from django.db import connection; from django.conf import settings;"
        "cursor = connection.cursor(); cursor.execute('PRAGMA journal_mode'); print(cursor.fetchone()[0]);"
        "print(connection.vendor); print(settings.CELERY_BROKER_URL)"
    )
    result = run_python(code, tmp_path, DEBUG="1")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["wal", "sqlite", f"redis+socket://{tmp_path / 'redis.sock'}"]


def test_database_and_redis_urls_are_read_from_the_environment(tmp_path):
    code = (
        "import django; django.setup(); from django.conf import settings;"
        "db = settings.DATABASES['default']; print(db['ENGINE'], db['NAME'], db['HOST']); print(settings.CELERY_BROKER_URL);"
        "print(settings.ALLOWED_HOSTS)"
    )
    result = run_python(code, tmp_path, SECRET_KEY="k", DATABASE_URL="postgres://u@db.example:5432/news",
                        REDIS_URL="redis://cache.example:6379/2", ALLOWED_HOSTS="a.example, b.example")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "django.db.backends.postgresql news db.example"
    assert lines[1] == "redis://cache.example:6379/2"
    assert lines[2] == "['a.example', 'b.example']"


def test_the_input_date_range_comes_from_the_environment_and_must_be_dates(tmp_path):
    code = "import django; django.setup(); from django.conf import settings; print(settings.INPUT_DATE_MIN, settings.INPUT_DATE_MAX)"
    default = run_python(code, tmp_path, DEBUG="1")
    assert default.stdout.split() == ["1970-01-01", "00:00:00+00:00", "2100-01-01", "00:00:00+00:00"], default.stderr
    chosen = run_python(code, tmp_path, DEBUG="1", INPUT_DATE_MIN="2000-01-01", INPUT_DATE_MAX="2050-06-30T12:00:00+02:00")
    assert chosen.stdout.split() == ["2000-01-01", "00:00:00+00:00", "2050-06-30", "12:00:00+02:00"], chosen.stderr
    bad = run_python(code, tmp_path, DEBUG="1", INPUT_DATE_MAX="2026-02-30")
    assert bad.returncode != 0 and "INPUT_DATE_MAX must be an ISO 8601 date" in bad.stderr
    reversed_ = run_python(code, tmp_path, DEBUG="1", INPUT_DATE_MIN="2100-01-02")
    assert reversed_.returncode != 0 and "INPUT_DATE_MIN must be before INPUT_DATE_MAX" in reversed_.stderr


DB_SETTINGS = (
    "import django; django.setup(); from django.conf import settings; db = settings.DATABASES['default'];"
    "print(db['CONN_MAX_AGE'], db['OPTIONS'].get('connect_timeout'), db['OPTIONS'].get('pool'),"
    " db.get('DISABLE_SERVER_SIDE_CURSORS', False))"
)


def test_postgres_connections_are_sized_from_the_environment(tmp_path):
    result = run_python(DB_SETTINGS, tmp_path, SECRET_KEY="k", DATABASE_URL="postgres://u@db.example:5432/news",
                        DATABASE_CONN_MAX_AGE="120", DATABASE_CONNECT_TIMEOUT="3", DATABASE_PGBOUNCER="1")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["120", "3", "None", "True"]


def test_a_pool_is_configured_from_the_environment_when_psycopg_pool_is_installed(tmp_path):
    import importlib.util

    result = run_python(DB_SETTINGS, tmp_path, SECRET_KEY="k", DATABASE_URL="postgres://u@db.example:5432/news",
                        DATABASE_POOL_MIN="2", DATABASE_POOL_MAX="8", DATABASE_POOL_TIMEOUT="4")
    if importlib.util.find_spec("psycopg_pool") is None:
        # Not installed here: a clear refusal to start, not a pool that silently is not there.
        assert result.returncode != 0 and "psycopg_pool is not installed" in result.stderr
    else:
        assert result.returncode == 0, result.stderr
        assert result.stdout.split(None, 2)[0] == "0"  # Django refuses persistent connections with a pool
        assert "'min_size': 2, 'max_size': 8, 'timeout': 4.0" in result.stdout


def test_the_sqlite_default_has_no_pool_options(tmp_path):
    code = "import django; django.setup(); from django.conf import settings; print(settings.DATABASES['default']['OPTIONS'])"
    result = run_python(code, tmp_path, DEBUG="1", DATABASE_POOL_MAX="8")
    assert result.returncode == 0, result.stderr
    assert "pool" not in result.stdout and "connect_timeout" not in result.stdout


def test_hsts_is_on_unless_debug(tmp_path):
    code = "import django; django.setup(); from django.conf import settings; print(settings.SECURE_HSTS_SECONDS)"
    production = run_python(code, tmp_path, SECRET_KEY="k")
    development = run_python(code, tmp_path, DEBUG="1")
    assert production.returncode == 0 and development.returncode == 0, production.stderr + development.stderr
    assert (production.stdout.strip(), development.stdout.strip()) == ("31536000", "0")


def test_commands_print_no_axes_banner(tmp_path):
    # django-axes logs "AXES: BEGIN version …" at every start; a command's output is the user's, not ours.
    result = run_python("import sys; sys.argv = ['manage.py', 'check']; from django.core.management import "
                        "execute_from_command_line; execute_from_command_line(sys.argv)", tmp_path)
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout
    assert "AXES" not in result.stdout + result.stderr
