"""The catalogue's version: a number that every committed change to a record raises.

Conditional requests (ETag, Last-Modified), the data package's cache and the cached summaries
(cooperation/summaries.py) compare it, so one indexed read of one row tells whether anything
changed since. Saves, deletions and changes of many-to-many links raise it through signals,
once per transaction, after the transaction commits (a reader never sees the new number with
the old data), then send `changed`. Writes that bypass signals (bulk inserts, raw SQL) call
`bump()` themselves.

A request that only reads (`once_per_request`, from CatalogueVersionMiddleware) reads the row
at most once, however many parts of the page ask.
"""

import hashlib
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime

from django.db import connections, router, transaction
from django.db.models import F
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import Signal
from django.utils import timezone
from django.utils.http import http_date

# Raise when a representation (API, exports) changes, so that clients' cached copies made by
# the old code are not declared current.
REPRESENTATION = "3"

# Sent (with `using`) after an edit's transaction committed and raised the number: the broad
# summaries are refreshed then (cooperation/broad_summaries.py, connected in apps.py).
changed = Signal()

# The version read by this request, when it is one that cannot change the catalogue.
_this_request: ContextVar[list | None] = ContextVar("catalogue_version", default=None)


@dataclass(frozen=True)
class Version:
    number: int
    changed_at: datetime

    @property
    def etag(self) -> str:
        digest = hashlib.sha256(f"{REPRESENTATION}:{self.number}".encode()).hexdigest()[:16]
        return f'W/"{digest}"'

    @property
    def last_modified(self) -> str:
        return http_date(self.changed_at.timestamp())


@contextmanager
def once_per_request():
    """Within the block, current() reads the row once and then repeats that answer. Only for
    requests that write nothing: a write in the block would not be seen."""
    token = _this_request.set([])
    try:
        yield
    finally:
        _this_request.reset(token)


def current() -> Version:
    remembered = _this_request.get()
    if remembered is None:
        return _read()
    if not remembered:
        remembered.append(_read())
    return remembered[0]


def _read() -> Version:
    from .models import CatalogueVersion

    row = CatalogueVersion.objects.filter(pk=1).values_list("number", "changed_at").first()
    if row is None:  # a database migrated before the row existed, or emptied by a test flush
        row, _ = CatalogueVersion.objects.get_or_create(pk=1)
        return Version(row.number, row.changed_at)
    return Version(*row)


def bump(using: str = "default") -> None:
    """Record that the catalogue changed, now."""
    from .models import CatalogueVersion

    updated = (
        CatalogueVersion.objects.using(using)
        .filter(pk=1)
        .update(number=F("number") + 1, changed_at=timezone.now())
    )
    if not updated:
        CatalogueVersion.objects.using(using).get_or_create(pk=1)


def _bump_after_commit(using: str) -> None:
    """Once per transaction: a save of 500 links raises the number once."""
    connection = connections[using]
    pending = getattr(connection, "run_on_commit", [])
    if any(getattr(entry[1], "catalogue_bump", False) for entry in pending):
        return

    def run():
        bump(using)
        changed.send(sender=None, using=using)

    run.catalogue_bump = True
    transaction.on_commit(run, using=using)


def _changed(sender, instance=None, using=None, **kwargs):
    _bump_after_commit(using or router.db_for_write(sender))


def _links_changed(sender, action, using=None, **kwargs):
    if action in ("post_add", "post_remove", "post_clear"):
        _bump_after_commit(using or router.db_for_write(sender))


def connect(models) -> None:
    """Watch these models (and their many-to-many links) for changes."""
    for model in models:
        uid = f"catalogue-version-{model._meta.label}"
        post_save.connect(_changed, sender=model, dispatch_uid=uid + "-save")
        post_delete.connect(_changed, sender=model, dispatch_uid=uid + "-delete")
        for field in model._meta.local_many_to_many:
            m2m_changed.connect(
                _links_changed, sender=field.remote_field.through, dispatch_uid=uid + field.name
            )
