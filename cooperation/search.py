"""Free-text search over events: PostgreSQL's full-text index where there is one, substring
matching on SQLite."""

import re

from django.db import connection
from django.db.models import BooleanField, Q
from django.db.models.expressions import RawSQL

# Identical to the indexed expression in migrations/0005_event_search_index.py.
DOCUMENT = (
    "to_tsvector('simple'::regconfig, title || ' ' || description || ' ' || theme || ' ' "
    "|| city || ' ' || venue)"
)
TEXT_FIELDS = ("title", "description", "theme", "city", "venue")


def prefix_query(term: str) -> str | None:
    """A tsquery matching every word of the term as a word prefix: "rural-water" ->
    "rural:* & water:*". None when the term has no word characters."""
    words = re.findall(r"\w+", term)
    return " & ".join(f"{word}:*" for word in words) if words else None


def event_text_matches(term: str) -> Q:
    """Events whose own text contains the term (as word prefixes on PostgreSQL)."""
    if connection.vendor == "postgresql":
        query = prefix_query(term)
        if query is None:
            return Q(pk__in=[])
        # Unqualified columns: the condition is used on the events table, alone in its query.
        return Q(
            RawSQL(f"{DOCUMENT} @@ to_tsquery('simple', %s)", [query], output_field=BooleanField())
        )
    condition = Q()
    for field in TEXT_FIELDS:
        condition |= Q(**{f"{field}__icontains": term})
    return condition
