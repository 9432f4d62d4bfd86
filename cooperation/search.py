"""Free-text search over events: PostgreSQL's full-text index where there is one, substring
matching on SQLite."""

import re

from django.db import connection
from django.db.models import Q
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
        return Q(
            pk__in=RawSQL(
                f"SELECT id FROM cooperation_event WHERE {DOCUMENT} @@ to_tsquery('simple', %s)",
                [query],
            )
        )
    condition = Q()
    for field in TEXT_FIELDS:
        condition |= Q(**{f"{field}__icontains": term})
    return condition


def any_of(condition_text: Q | None, id_querysets, text_sql=None) -> Q:
    """Events matching any of several id sets.

    On PostgreSQL the sets are combined with UNION into one subquery: an OR of IN-subqueries
    makes the planner test every event row, a UNION lets it read each index once.
    """
    if connection.vendor == "postgresql":
        parts, params = [], []
        if text_sql is not None:
            parts.append(text_sql[0])
            params.extend(text_sql[1])
        for queryset in id_querysets:
            sql, query_params = queryset.query.sql_with_params()
            parts.append(sql)
            params.extend(query_params)
        return Q(pk__in=RawSQL(" UNION ".join(f"({part})" for part in parts), params))
    condition = condition_text if condition_text is not None else Q(pk__in=[])
    for queryset in id_querysets:
        condition |= Q(pk__in=queryset)
    return condition


def event_text_sql(term: str):
    """The PostgreSQL subquery for events whose own words match the term (or None)."""
    query = prefix_query(term)
    if query is None:
        return ("SELECT id FROM cooperation_event WHERE false", [])
    return (
        f"SELECT id FROM cooperation_event WHERE {DOCUMENT} @@ to_tsquery('simple', %s)",
        [query],
    )
