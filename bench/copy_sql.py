"""The floor for an events export: PostgreSQL's own COPY of the project's export SELECT
(cooperation/exports_sql.py, built from the column declarations) over every event at once,
in one statement: the same bytes the export sends, without slices or a web server."""


def copy_statement(base: str = "http://testserver"):
    """(COPY statement, params) for the whole events CSV in its default order."""
    from cooperation.exports_sql import copy_statement as export_copy
    from cooperation.lists import EVENTS

    filterset = EVENTS.filter(None)
    return export_copy(EVENTS.columns, filterset.qs, filterset.sort().key, base)
