"""The catalogue's version: a number that every committed change to a record raises.

Conditional requests (ETag, Last-Modified) and the data package's cache compare it, so one
indexed read of one row tells whether anything changed since. Saves, deletions and changes of
many-to-many links raise it through signals, once per transaction, after the transaction
commits (a reader never sees the new number with the old data). Writes that bypass signals
(bulk inserts, raw SQL) call `bump()` themselves.
"""

import hashlib
from dataclasses import dataclass
from datetime import datetime

from django.db import connections, router, transaction
from django.db.models import F
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone
from django.utils.http import http_date

# Raise when a representation (API, exports) changes, so that clients' cached copies made by
# the old code are not declared current.
REPRESENTATION = "3"


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


def current() -> Version:
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
