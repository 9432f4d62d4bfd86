"""The read-replica router (DATABASE_REPLICA_URL)."""

import os
import subprocess
import sys

from django.conf import settings
from django.test import RequestFactory

from cooperation.models import Event
from cooperation.routers import PrimaryForWritesMiddleware, ReadReplicaRouter, primary

router = ReadReplicaRouter()


def test_reads_go_to_the_replica_and_writes_to_the_primary():
    assert router.db_for_read(Event) == "replica"
    assert router.db_for_write(Event) == "default"


def test_reads_inside_primary_go_to_the_primary():
    with primary():
        assert router.db_for_read(Event) == "default"
    assert router.db_for_read(Event) == "replica"


def test_related_reads_follow_the_instance():
    event = Event()
    event._state.db = "default"
    assert router.db_for_read(Event, instance=event) == "default"


def test_only_the_primary_is_migrated():
    assert router.allow_migrate("default", "cooperation")
    assert not router.allow_migrate("replica", "cooperation")


def seen_database(method, path):
    seen = []

    def view(request):
        seen.append(router.db_for_read(Event))
        return None

    PrimaryForWritesMiddleware(view)(RequestFactory().generic(method, path))
    return seen[0]


def test_admin_and_unsafe_requests_read_from_the_primary():
    assert seen_database("GET", "/events/") == "replica"
    assert seen_database("GET", "/admin/cooperation/event/") == "default"
    assert seen_database("POST", "/events/") == "default"


def test_settings_add_the_replica_and_the_router(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    database = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    env.update(
        DATABASE_URL=database,
        DATABASE_REPLICA_URL=database,
        DJANGO_SETTINGS_MODULE="config.settings",
    )
    script = (
        "import django; django.setup()\n"
        "from django.conf import settings as s\n"
        "from django.core.management import call_command\n"
        "call_command('migrate', verbosity=0)\n"
        "from django.test import Client\n"
        "print(sorted(s.DATABASES), s.DATABASE_ROUTERS,\n"
        "      Client().get('/events/').status_code)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        "['default', 'replica'] ['cooperation.routers.ReadReplicaRouter'] 200"
    )


def test_a_replica_on_another_engine_is_refused(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    env.update(
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        DATABASE_REPLICA_URL="postgres://postgres@127.0.0.1:5432/postgres",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "same engine" in result.stderr
