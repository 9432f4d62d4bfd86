"""Pieces shared by every catalogue model."""

from contextlib import contextmanager
from contextvars import ContextVar

from django.db import models

# The years the pages can show: four-digit years in URLs (/years/2012/), filters and ISO dates,
# one bar per year in the charts.
FIRST_YEAR, LAST_YEAR = 1000, 9999

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
