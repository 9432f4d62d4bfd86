import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from config.settings import env_bool

ROOT = settings.BASE_DIR


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("1", True), ("true", True), ("False", False), ("0", False), ("off", False), ("", True)],
)
def test_env_bool_reads_true_and_false(monkeypatch, raw, expected):
    monkeypatch.setenv("SOME_FLAG", raw)
    assert env_bool("SOME_FLAG", True) is expected


def test_env_bool_rejects_anything_else(monkeypatch):
    monkeypatch.setenv("SOME_FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="SOME_FLAG must be true or false"):
        env_bool("SOME_FLAG", True)


def run_check(**env):
    """Start Django in a fresh process with these variables, as a server would."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    clean.pop("DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_start_up_fails_without_secret_key_when_debug_is_off():
    result = run_check(DJANGO_DEBUG="false", DJANGO_ALLOWED_HOSTS="example.org")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_start_up_fails_on_a_bad_debug_value():
    result = run_check(DJANGO_DEBUG="yes please")
    assert result.returncode != 0
    assert "DJANGO_DEBUG must be true or false" in result.stderr


def test_start_up_fails_on_an_unsupported_database():
    result = run_check(DATABASE_URL="mysql://root@127.0.0.1/test")
    assert result.returncode != 0
    assert "DATABASE_URL must point at PostgreSQL or SQLite" in result.stderr


def test_production_settings_start_with_key_and_hosts():
    result = run_check(
        DJANGO_DEBUG="false", DJANGO_SECRET_KEY="x" * 60, DJANGO_ALLOWED_HOSTS="example.org"
    )
    assert result.returncode == 0, result.stderr


def test_a_gunicorn_worker_freezes_what_it_loaded_before_its_first_request():
    """The collector's full passes then skip the code and templates (config/gunicorn.py)."""
    import gc

    from config import gunicorn

    try:
        gunicorn.post_worker_init(None)
        assert gc.get_freeze_count() > 10_000
        assert len(gc.get_objects()) < gc.get_freeze_count() / 10
    finally:
        gc.unfreeze()
