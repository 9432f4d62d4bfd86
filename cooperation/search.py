"""Free-text search over events: PostgreSQL's full-text index where there is one, substring
matching on SQLite."""

import re

from django.db import connection
from django.db.models import BooleanField, Exists, F, Func, Q, Value

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


class TextMatches(Func):
    """`DOCUMENT @@ to_tsquery('simple', query)`, its columns qualified by whatever alias the
    events table has in the query at hand (a join to the parent event, a subquery): the same
    expression as the index, so the planner uses it."""

    output_field = BooleanField()

    def __init__(self, query: str):
        super().__init__(*[F(field) for field in TEXT_FIELDS], Value(query))

    def as_sql(self, compiler, connection, **extra):
        parts, params = [], []
        for expression in self.source_expressions:
            sql, more = compiler.compile(expression)
            parts.append(sql)
            params.extend(more)
        document = " || ' ' || ".join(parts[:-1])
        sql = f"(to_tsvector('simple'::regconfig, {document}) @@ to_tsquery('simple', {parts[-1]}))"
        return sql, params


class ProbedExists(Exists):
    """EXISTS, tested for each row through an index: OFFSET 0 keeps PostgreSQL from making it
    a hashed subplan (it cannot simplify an EXISTS with an OFFSET).

    ORed with the text match, "linked to a record whose name matches" was a hashed subplan:
    every link of those records read before the first row, 10,905 links at 1,000,000 events
    for "mushroom" (the programmes of that name) and ten times as many at 10,000,000. A page
    walks its sort order and stops after a page of rows, one index probe for each row it
    passes. A count reads every event's text, which costs more than the probes.
    """

    template = "EXISTS(%(subquery)s OFFSET 0)"


def event_text_matches(term: str) -> Q:
    """Events whose own text contains the term (as word prefixes on PostgreSQL)."""
    if connection.vendor == "postgresql":
        query = prefix_query(term)
        if query is None:
            return Q(pk__in=[])
        return Q(TextMatches(query))
    condition = Q()
    for field in TEXT_FIELDS:
        condition |= Q(**{f"{field}__icontains": term})
    return condition
