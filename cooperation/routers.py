"""Read replicas: with DATABASE_REPLICA_URL set, public reads go to the replica.

Writes, and every read of a request that may write (the admin, any POST), go to the primary,
so an editor never reads a replica that has not yet caught up with their own change. Code
that reads what it has just written outside a request (load_catalogue, synthesize) runs
inside `primary()`.
"""

from contextlib import contextmanager
from contextvars import ContextVar

from django.db import DEFAULT_DB_ALIAS

REPLICA = "replica"
_pinned: ContextVar[bool] = ContextVar("pinned_to_primary", default=False)


@contextmanager
def primary():
    """Send every read in the block to the primary database."""
    token = _pinned.set(True)
    try:
        yield
    finally:
        _pinned.reset(token)


class ReadReplicaRouter:
    def db_for_read(self, model, **hints):
        instance = hints.get("instance")
        if instance is not None and instance._state.db:
            return instance._state.db  # related objects come from where their parent came
        return DEFAULT_DB_ALIAS if _pinned.get() else REPLICA

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the replica holds the same rows as the primary

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT_DB_ALIAS


class PrimaryForWritesMiddleware:
    """Pin the admin and every unsafe request to the primary for the whole request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in ("GET", "HEAD", "OPTIONS") or request.path.startswith("/admin/"):
            with primary():
                return self.get_response(request)
        return self.get_response(request)
