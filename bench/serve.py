"""Serve the site with gunicorn under production settings, on loopback, for load and fault runs."""

import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"


def production_env(database_url, static_root):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    env.update(
        DATABASE_URL=database_url,
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY="bench-only-" + "k" * 50,
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        DJANGO_SECURE_SSL_REDIRECT="false",  # plain http on loopback
        DJANGO_STATIC_ROOT=str(static_root),
        DJANGO_SETTINGS_MODULE="config.settings",
    )
    return env


def manage(env, *args):
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True)


def create_database(name):
    import psycopg

    with psycopg.connect(ADMIN_URL, autocommit=True) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [name]
        ).fetchone()
        if not exists:
            connection.execute(f'CREATE DATABASE "{name}"')
    return f"postgres://postgres@127.0.0.1:5432/{name}"


@contextmanager
def gunicorn(database_url, *, port=8901, workers=None, pid_file=None, probe="/events/"):
    """Yield the base URL of a gunicorn serving the site with the production configuration
    (`config/gunicorn.py`); stop it afterwards. `pid_file` receives the master's pid; `probe` is
    the address asked for until it answers (a static file leaves the site's pages cold)."""
    static_root = Path(tempfile.mkdtemp(prefix="bench-static-"))
    env = production_env(database_url, static_root)
    manage(env, "collectstatic", "--noinput", "-v0")
    workers = workers or 2 * (os.cpu_count() or 1) + 1
    process = subprocess.Popen(
        [PYTHON, "-m", "gunicorn", "config.wsgi", "-c", "config/gunicorn.py",
         "--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--log-level", "warning",
         *(["--pid", str(pid_file)] if pid_file else [])],
        cwd=ROOT, env=env,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(base + probe, timeout=5)
                break
            except (urllib.error.URLError, ConnectionError):
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("gunicorn did not start") from None
                time.sleep(0.5)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)
        shutil.rmtree(static_root, ignore_errors=True)
