"""Helpers every public view uses: windows of rows, export responses, query strings."""

import itertools

from django.db import connections
from django.http import HttpResponse, StreamingHttpResponse

from ..charts import bar_chart
from ..pagination import BadPosition, SortKey, Window, encode, window

PAGE_SIZE = 25
# Numbered pages read past every earlier row; beyond this, Next links (keyset) go on.
MAX_PAGE_NUMBER = 400

EVENT_SORTS = {
    "-date": SortKey("start_date", descending=True),
    "date": SortKey("start_date", descending=False),
    "title": SortKey("title", descending=False),
    "-title": SortKey("title", descending=True),
    "-participants": SortKey("participants", descending=True, nullable=True),
    "participants": SortKey("participants", descending=False, nullable=True),
}


def event_window(request, queryset, sort: str, *, size=None):
    """The page of events a request asks for: ?after= / ?before= (links), ?page=N or last."""
    size = size or PAGE_SIZE
    key = EVENT_SORTS[sort or "-date"]
    after, before = request.GET.get("after"), request.GET.get("before")
    page = request.GET.get("page", "").strip()
    if page == "last":
        return window(queryset, key, last=True, size=size)
    if page and page != "1":
        if after or before:
            raise BadPosition("page: give a page number or a position, not both.")
        if not page.isascii() or not page.isdigit() or int(page) < 1:
            raise BadPosition(f"page: “{page[:40]}” is not a page number.")
        number = int(page)
        if number > MAX_PAGE_NUMBER:
            raise BadPosition(
                f"page: numbered pages go up to {MAX_PAGE_NUMBER}; follow the Next links or "
                "narrow the filters to go further."
            )
        return offset_window(queryset, key, number, size)
    return window(queryset, key, after=after, before=before, size=size)


def offset_window(queryset, key, number, size):
    """Page `number` by offset, reading only ids for the skipped rows (an index-only scan)."""
    ordering = key.order_by()
    start = (number - 1) * size
    ids = list(queryset.order_by(*ordering).values_list("pk", flat=True)[start : start + size + 1])
    if not ids:
        raise BadPosition(f"page: there is no page {number}; the list ends before it.")
    rows = list(queryset.filter(pk__in=ids[:size]).order_by(*ordering))
    more = len(ids) > size
    return Window(
        rows=rows,
        has_next=more,
        has_previous=True,
        next_token=encode(getattr(rows[-1], key.field), rows[-1].pk),
        previous_token=encode(getattr(rows[0], key.field), rows[0].pk),
        is_first=False,
        is_last=not more,
    )


def count(queryset, key: str):
    """The number of rows, exact or estimated (see summaries.count); cached under `key`."""
    from .. import summaries

    return summaries.count(queryset, key)


def absolute_url_builder(request):
    return request.build_absolute_uri


def year_chart(title, counts, url_for):
    """Bars for every year from the first to the last, empty years included, so that gaps
    in the record show as gaps."""
    by_year = dict(counts or [])
    years = range(min(by_year), max(by_year) + 1) if by_year else []
    return bar_chart(title, [(str(year), by_year.get(year, 0), url_for(year)) for year in years])


def export_query(query) -> str:
    """A list's query string for its export links: the same filters, every page."""
    query = query.copy()
    for name in ("page", "after", "before"):
        query.pop(name, None)
    return query.urlencode()


def filter_key(query) -> str:
    """The filters alone, in a stable order: the cache key of a result's aggregates."""
    return "&".join(
        f"{name}={value}"
        for name in sorted(query)
        if name not in {"page", "after", "before", "sort", "bom"}
        for value in sorted(query.getlist(name))
    )


def toggled(query, param, value) -> str:
    """The query string with one value of a parameter added, or removed if present; page 1."""
    query = query.copy()
    for name in ("page", "after", "before"):
        query.pop(name, None)
    values = query.getlist(param)
    if value in values:
        values.remove(value)
    else:
        values.append(value)
    query.setlist(param, values)
    return query.urlencode()


def bad_request(messages) -> HttpResponse:
    body = "The query string could not be used:\n" + "\n".join(f"- {m}" for m in messages)
    return HttpResponse(body + "\n", status=400, content_type="text/plain; charset=utf-8")


def streaming(content, filename, content_type, using):
    """A download. Once streaming has begun its status cannot change, so the database the
    export reads (`using`) is health-checked and the first chunk made here: an outage at the
    start is a 503, not a file cut short. Later failures abort the transfer, which the client
    sees as a failed download."""
    database = connections[using]
    database.close_if_health_check_failed()  # CONN_HEALTH_CHECKS: reconnect if it was dropped
    database.ensure_connection()
    content = iter(content)
    first = next(content, b"")
    response = StreamingHttpResponse(itertools.chain([first], content), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
