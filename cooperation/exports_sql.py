"""The events CSV produced by PostgreSQL itself (COPY ... TO STDOUT), for large exports.

The rows, their links and every formatting rule of exports.event_rows (labels, ISO dates at
their precision, "over N", roles and titles in parentheses, "; " between values, formula
cells neutralised) are expressed in SQL, and the CSV bytes stream from the database to the
client untouched. tests/test_csv_export.py checks that both produce the same file.

The export runs as consecutive slices in export order, each one COPY over the ids of one
keyset range: the first slice is small, so the first bytes leave within a fraction of a
second instead of after the whole million rows are aggregated and sorted, and the slices then
grow to amortise the per-statement cost. All slices read one snapshot (a REPEATABLE READ,
READ ONLY transaction), so an edit made during a long download cannot duplicate or drop a row.
"""

from django.db import connections, transaction

from .exports import EVENT_COLUMNS, FORMULA_PREFIXES
from .models import Event, EventCountry, EventOrganization, EventPerson
from .pagination import SortKey, beyond

FIRST_SLICE = 1_000
LARGEST_SLICE = 100_000
# PostgreSQL sends COPY output one row per message; the response goes out in chunks of about
# this size instead, so the app server writes (and the client reads) thousands, not millions.
CHUNK_BYTES = 64 * 1024

ORDER_BY = {
    "-date": "e.start_date DESC, e.id DESC",
    "date": "e.start_date ASC, e.id ASC",
    "title": "e.title ASC, e.id ASC",
    "-title": "e.title DESC, e.id DESC",
    "-participants": "e.participants DESC NULLS LAST, e.id DESC",
    "participants": "e.participants ASC NULLS LAST, e.id ASC",
}


EMPTY = "''"


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _case(column: str, choices, lower=False) -> str:
    whens = " ".join(
        f"WHEN {_literal(value)} THEN {_literal(label.lower() if lower else str(label))}"
        for value, label in choices
    )
    return f"(CASE {column} {whens} ELSE {column} END)"


def _safe(expression: str) -> str:
    """A cell a spreadsheet would run as a formula gets a leading apostrophe."""
    starts = ", ".join(
        _literal(prefix) if prefix.isprintable() else {"\t": "E'\\t'", "\r": "E'\\r'"}[prefix]
        for prefix in FORMULA_PREFIXES
    )
    return f"(CASE WHEN left({expression}, 1) IN ({starts}) THEN '''' || {expression} " \
           f"ELSE {expression} END)"  # fmt: skip


def _iso(date_column: str, precision_column: str) -> str:
    return (
        f"(CASE {precision_column} WHEN 'year' THEN to_char({date_column}, 'YYYY') "
        f"WHEN 'month' THEN to_char({date_column}, 'YYYY-MM') "
        f"ELSE to_char({date_column}, 'YYYY-MM-DD') END)"
    )


def _count(value: str, is_minimum: str) -> str:
    return (
        f"(CASE WHEN {value} IS NULL THEN '' WHEN {is_minimum} THEN 'over ' || {value} "
        f"ELSE {value}::text END)"
    )


def export_sql(sort: str) -> str:
    """The SELECT behind the CSV, for the events whose ids the CTE `f` lists."""
    country_role = _case("ec.role", EventCountry.Role.choices, lower=True)
    organization_role = _case("eo.role", EventOrganization.Role.choices, lower=True)
    person_role = _case("ep.role", EventPerson.Role.choices, lower=True)
    columns = {
        "id": "e.id",
        "url": "%(base)s || e.slug || '/'",
        "title": _safe("e.title"),
        "type": _case("e.type", Event.Type.choices),
        "start_date": _iso("e.start_date", "e.date_precision"),
        "end_date": f"(CASE WHEN e.end_date IS NULL THEN '' ELSE "
        f"{_iso('e.end_date', 'e.end_date_precision')} END)",
        "date_precision": "e.date_precision",
        "city": _safe("e.city"),
        "host_country": _safe("coalesce(c.host_names, '')"),
        "host_country_code": "coalesce(c.host_codes, '')",
        "countries": _safe("coalesce(c.names, '')"),
        "country_codes": "coalesce(c.codes, '')",
        "programmes": _safe("coalesce(p.names, '')"),
        "organizations": _safe("coalesce(o.names, '')"),
        "people": _safe("coalesce(pe.names, '')"),
        "participants": _count("e.participants", "e.participants_is_minimum"),
        "participant_countries": _count(
            "e.participant_countries", "e.participant_countries_is_minimum"
        ),
        "description": _safe("e.description"),
        "sources": _safe("coalesce(s.names, '')"),
    }
    assert list(columns) == EVENT_COLUMNS
    # NULLIF: an empty cell is written bare, as Python's csv module writes it (COPY would
    # quote an empty string to tell it from NULL).
    select = ",\n       ".join(
        f'{sql if name == "id" else f"NULLIF({sql}, {EMPTY})"} AS "{name}"'
        for name, sql in columns.items()
    )
    return f"""
WITH f (id) AS MATERIALIZED (%(ids)s)
SELECT {select}
FROM cooperation_event e
JOIN f ON f.id = e.id
LEFT JOIN (
    SELECT ec.event_id,
           string_agg(co.name || ' (' || {country_role} || ')', '; '
                      ORDER BY ec.role, co.name) AS names,
           string_agg(DISTINCT co.code, '; ' ORDER BY co.code) AS codes,
           string_agg(co.name, '; ' ORDER BY co.name) FILTER (WHERE ec.role = 'host')
               AS host_names,
           string_agg(co.code, '; ' ORDER BY co.name) FILTER (WHERE ec.role = 'host')
               AS host_codes
    FROM cooperation_eventcountry ec JOIN cooperation_country co ON co.id = ec.country_id
    WHERE ec.event_id IN (SELECT id FROM f)
    GROUP BY ec.event_id
) c ON c.event_id = e.id
LEFT JOIN (
    SELECT ep.event_id, string_agg(pr.name, '; ' ORDER BY pr.name) AS names
    FROM cooperation_event_programmes ep JOIN cooperation_programme pr ON pr.id = ep.programme_id
    WHERE ep.event_id IN (SELECT id FROM f)
    GROUP BY ep.event_id
) p ON p.event_id = e.id
LEFT JOIN (
    SELECT eo.event_id,
           string_agg(org.name || ' (' || {organization_role} || ')', '; '
                      ORDER BY eo.role, org.name) AS names
    FROM cooperation_eventorganization eo
    JOIN cooperation_organization org ON org.id = eo.organization_id
    WHERE eo.event_id IN (SELECT id FROM f)
    GROUP BY eo.event_id
) o ON o.event_id = e.id
LEFT JOIN (
    SELECT ep.event_id,
           string_agg(per.name || ' (' || {person_role}
                      || CASE WHEN ep.title <> '' THEN ', ' || ep.title ELSE '' END || ')',
                      '; ' ORDER BY ep.id) AS names
    FROM cooperation_eventperson ep JOIN cooperation_person per ON per.id = ep.person_id
    WHERE ep.event_id IN (SELECT id FROM f)
    GROUP BY ep.event_id
) pe ON pe.event_id = e.id
LEFT JOIN (
    SELECT ci.event_id,
           string_agg(so.title || ' — ' || ci.locator, '; ' ORDER BY so.title, ci.id) AS names
    FROM cooperation_eventcitation ci JOIN cooperation_source so ON so.id = ci.source_id
    WHERE ci.event_id IN (SELECT id FROM f)
    GROUP BY ci.event_id
) s ON s.event_id = e.id
ORDER BY {ORDER_BY[sort]}
"""


def copy_statement(ids_queryset, sort: str, base_url: str, *, header: bool = True):
    """(COPY statement, params) for the events whose ids `ids_queryset` selects."""
    ids_sql, ids_params = ids_queryset.values("pk").query.sql_with_params()
    # Placeholders in order: the ids query's (in the CTE), then the URL base (in the SELECT
    # list). The export SQL itself holds no other % sign.
    sql = export_sql(sort).replace("%(ids)s", ids_sql).replace("%(base)s", "%s")
    return (
        f"COPY ({sql}) TO STDOUT WITH (FORMAT csv, HEADER {'true' if header else 'false'})",
        [*ids_params, base_url],
    )


def slices(queryset, key: SortKey):
    """The filtered events as consecutive ranges in export order, each a queryset of at most
    one slice's size: FIRST_SLICE, then four times larger up to LARGEST_SLICE.

    Each range starts after the last row of the one before (a keyset condition, so the
    database reads on from there through the sort's index); one query per slice finds where
    it ends.
    """
    ordered = queryset.order_by(*key.order_by())
    size, position = FIRST_SLICE, None
    while True:
        rest = ordered if position is None else ordered.filter(beyond(key, *position, True))
        yield rest[:size]
        last = list(rest.values_list(key.field, "pk")[size - 1 : size])
        if not last:
            return
        position = last[0]
        size = min(size * 4, LARGEST_SLICE)


def stream_csv(queryset, key: SortKey, sort: str, base_url: str, *, bom: bool = False):
    """Yield the CSV as bytes in chunks of about CHUNK_BYTES, as PostgreSQL produces it."""
    connection = connections[queryset.db]
    chunk = bytearray("\ufeff".encode() if bom else b"")
    outermost = not connection.in_atomic_block
    with transaction.atomic(using=queryset.db, savepoint=False):  # reads only
        if outermost:  # inside a caller's transaction, its snapshot rules
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        header = True
        for ids in slices(queryset, key):
            statement, params = copy_statement(ids, sort, base_url, header=header)
            header = False
            with connection.connection.cursor() as cursor, cursor.copy(statement, params) as copy:
                for row in copy:
                    chunk += row
                    if len(chunk) >= CHUNK_BYTES:
                        yield bytes(chunk)
                        chunk.clear()
    if chunk:
        yield bytes(chunk)
