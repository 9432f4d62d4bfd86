"""Pieces shared by every catalogue model."""

import datetime
from contextlib import contextmanager
from contextvars import ContextVar

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, router
from django.db.models import Q

# The years the pages can show: four-digit years in URLs (/years/2012/), filters and ISO dates,
# one bar per year in the charts. The database refuses dates and years outside them (a start in
# year 1 drew some 2,000 bars on every chart, and its year page could not exist).
FIRST_YEAR, LAST_YEAR = 1000, 9999
FIRST_DATE, LAST_DATE = datetime.date(FIRST_YEAR, 1, 1), datetime.date(LAST_YEAR, 12, 31)
YEARS_MESSAGE = f"The catalogue covers the years {FIRST_YEAR} to {LAST_YEAR}."


def within_supported_years(field: str, *, dates: bool) -> Q:
    """A check constraint's condition: `field` is empty or within FIRST_YEAR..LAST_YEAR.
    Dates are compared with date literals, which both engines order as dates."""
    low, high = (FIRST_DATE, LAST_DATE) if dates else (FIRST_YEAR, LAST_YEAR)
    return Q(**{f"{field}__isnull": True}) | Q(**{f"{field}__gte": low, f"{field}__lte": high})


# The same range as field validators, so that a form shows the error next to the field.
SUPPORTED_DATES = [
    MinValueValidator(FIRST_DATE, message=YEARS_MESSAGE),
    MaxValueValidator(LAST_DATE, message=YEARS_MESSAGE),
]
SUPPORTED_YEARS = [
    MinValueValidator(FIRST_YEAR, message=YEARS_MESSAGE),
    MaxValueValidator(LAST_YEAR, message=YEARS_MESSAGE),
]


def not_own_parent() -> Q:
    """A check constraint's condition: a record is not its own parent. The row's id is known
    when the check runs on both engines, inserts included."""
    return ~Q(parent=models.F("pk"))


# Deeper than any real nesting (a trip, its meetings): the walk stops here, and the database's
# trigger (migration 0008) still refuses a cycle beyond it.
MAX_PARENT_DEPTH = 50


def parent_error(record) -> str:
    """Why `record.parent` cannot be its parent, or "": the parent is the record itself or lies
    below it, so that saving would close a cycle (A part of B, B part of A). Walks up from the
    parent, one query per level, on the database the record is written to."""
    if record.parent_id is None:
        return ""
    noun = record._meta.verbose_name
    if record.parent_id == record.pk:
        return f"{'An' if noun[0] in 'aeiou' else 'A'} {noun} cannot be part of itself."
    if record.pk is None:
        return ""  # a record not yet saved has nothing below it
    manager = type(record)._base_manager.db_manager(router.db_for_write(type(record)))
    chain, current = [], record.parent_id
    while current is not None and current not in chain and len(chain) < MAX_PARENT_DEPTH:
        if current == record.pk:
            records = manager.in_bulk(chain)
            path = " → ".join(f"“{records[pk]}”" for pk in chain)
            return (
                f"“{records[chain[0]]}” is itself part of this {noun} ({path} → this {noun}), "
                "so it cannot be its parent."
            )
        chain.append(current)
        current = manager.filter(pk=current).values_list("parent_id", flat=True).first()
    return ""


# While the catalogue loads, records referenced by natural key are looked up once, not once
# per reference (a fixture names the same country or organization hundreds of times).
_natural_key_cache: ContextVar[dict | None] = ContextVar("natural_key_cache", default=None)


@contextmanager
def natural_key_cache():
    token = _natural_key_cache.set({})
    try:
        yield
    finally:
        _natural_key_cache.reset(token)


def get_by_key(queryset, **lookup):
    """queryset.get(**lookup), remembered for the rest of a load. Misses are not remembered:
    the record may be created a moment later."""
    cache = _natural_key_cache.get()
    if cache is None:
        return queryset.get(**lookup)
    key = (queryset.model, queryset.db, tuple(sorted(lookup.items())))
    if key not in cache:
        cache[key] = queryset.get(**lookup)
    return cache[key]


class Timestamped(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class SlugQuerySet(models.QuerySet):
    """Records addressed by a slug: the slug is their natural key in fixtures."""

    def get_by_natural_key(self, slug):
        return get_by_key(self, slug=slug)


def alias_lines(text: str) -> list[str]:
    """Aliases are stored one per line so editors can type them into a plain text box."""
    return [line.strip() for line in text.splitlines() if line.strip()]


class WithAliases(models.Model):
    aliases = models.TextField(
        blank=True,
        help_text="Other spellings found in sources or in common use, one per line. "
        "Searched like the name.",
    )

    class Meta:
        abstract = True

    @property
    def alias_list(self) -> list[str]:
        return alias_lines(self.aliases)
