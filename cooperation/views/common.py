"""Helpers every public view uses: windows of rows, exports, bad requests, canonical URLs."""

from django.db import connection, connections
from django.http import HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control
from django.views import View

from .. import counters, exports, exports_sql, versions
from ..api import records
from ..charts import bar_chart
from ..columns import UnknownColumns
from ..lists import CatalogueList
from ..pagination import BadPosition, SortKey, Window, at_least_the_page, encode, window

PAGE_SIZE = 25
# Numbered pages read past every earlier row; beyond this, Next links (keyset) go on.
MAX_PAGE_NUMBER = 400


def event_window(request, queryset, key: SortKey, *, size=None):
    """The page of events a request asks for: ?after= / ?before= (links), ?page=N or last."""
    size = size or PAGE_SIZE
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


def count(queryset, key: str, counter: str | None = None, *, page=None):
    """The number of rows, exact or a true lower bound (see summaries.count); cached under
    `key`, or read from the event counter `counter` (cooperation/counters.py); at least what
    `page`, the window of those rows shown, tells (pagination.at_least_the_page)."""
    from .. import summaries

    found = summaries.count(queryset, key, counter)
    return at_least_the_page(found, page) if page is not None else found


def year_chart(title, counts, url_for):
    """Bars for every year from the first to the last, empty years included, so that gaps
    in the record show as gaps."""
    by_year = dict(counts or [])
    years = range(min(by_year), max(by_year) + 1) if by_year else []
    return bar_chart(title, [(str(year), by_year.get(year, 0), url_for(year)) for year in years])


def bad_request(messages) -> HttpResponse:
    """400 with a one-line reason, for exports and other machine-read answers."""
    body = "Bad request: " + "; ".join(" ".join(str(m).split()) for m in messages)
    return HttpResponse(body + "\n", status=400, content_type="text/plain; charset=utf-8")


MAX_REDIRECT_LENGTH = 4096  # longer addresses are answered in place (blanks are ignored)


def without_blanks(request):
    """A redirect to the same address without its empty parameters (what a submitted form
    leaves behind: `q=&country_role=`), so that shared URLs say only what was chosen; None
    when there is none."""
    query = request.GET.copy()
    blanks = [name for name in query if not any(v.strip() for v in query.getlist(name))]
    if not blanks:
        return None
    for name in blanks:
        del query[name]
    encoded = query.urlencode()
    target = request.path + (f"?{encoded}" if encoded else "")
    return HttpResponseRedirect(target) if len(target) <= MAX_REDIRECT_LENGTH else None


def site_base(request) -> str:
    """The site's address, "https://example.org", for the URL columns of exports."""
    return request.build_absolute_uri("/").rstrip("/")


# The number of records in an export, counted in the snapshot its rows are read in.
RECORD_COUNT = "X-Record-Count"


def streaming(content, filename, content_type, using, tally: exports.Tally):
    """A download. Once streaming has begun its status cannot change, so the database the
    export reads (`using`) is health-checked and the first chunk made here: an outage at the
    start is a 503, not a file cut short.

    The writer has counted the records by its first chunk (`tally`), in the snapshot it reads
    them in: X-Record-Count says how many the whole download holds. A failure after the first
    chunk propagates, and the server aborts the transfer without ending it cleanly (gunicorn
    closes the connection without the last chunk of a chunked response); over HTTP/1.0,
    which has no such end, the number is what tells a cut download from a whole one."""
    database = connections[using]
    database.close_if_health_check_failed()  # CONN_HEALTH_CHECKS: reconnect if it was dropped
    database.ensure_connection()
    content = iter(content)
    first = next(content, b"")
    if tally.records is None:
        raise RuntimeError("The export's writer did not count its records.")

    def chunks():
        try:
            yield first
            yield from content
        finally:  # a client that leaves early ends the export's snapshot at once
            content.close()

    response = StreamingHttpResponse(chunks(), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response[RECORD_COUNT] = str(tally.records)
    return response


def not_modified(request, version: versions.Version):
    """304 when the client's copy (If-None-Match, else If-Modified-Since) is of this version
    of the catalogue, 412 on a failed If-Match; None when the full answer is due. Call it
    after validating the request: a bad query is a 400 whatever the client holds.

    One version for every address: a response only changes when the catalogue does (or the
    code that writes it, versions.REPRESENTATION), and caches keep one copy per URL, so the
    query string and the format need not be part of the ETag."""
    response = get_conditional_response(
        request, etag=version.etag, last_modified=int(version.changed_at.timestamp())
    )
    return with_version(response, version) if response is not None else None


def with_version(response, version: versions.Version):
    """The validators of `version`, and a Cache-Control that asks caches to check them with
    the server before each reuse (a 304 costs one indexed read)."""
    response["ETag"] = version.etag
    response["Last-Modified"] = version.last_modified
    patch_cache_control(response, public=True, no_cache=True)
    return response


class ListPage(View):
    """A list's page: a clean URL, its query string validated by the list's FilterSet (the
    form with each error beside its field and a 400 when one is wrong), then `respond` with
    the valid FilterSet and the context every list page shares."""

    catalogue_list: CatalogueList = None
    template_name = ""
    validates_query = True  # a NUL in a value is this view's 400, not the middleware's

    def get(self, request):
        if redirect := without_blanks(request):
            return redirect
        filterset = self.catalogue_list.filter(request.GET)
        context = {"filter": filterset, "title": filterset.noun, "list": self.catalogue_list}
        if not filterset.is_valid():
            return self.bad(request, context, filterset.error_messages())
        context.update(
            title=filterset.describe(),
            chips=filterset.chips(),
            export_query=filterset.query().urlencode(),
        )
        return self.respond(request, filterset, context)

    def respond(self, request, filterset, context):
        raise NotImplementedError

    def bad(self, request, context, errors):
        context["errors"] = errors
        return render(request, self.template_name, context, status=400)


class ExportView(View):
    """/<list>/export.csv and /<list>/export.json: the list's query string, every record;
    `fields=` chooses the columns, `bom=1` starts a CSV with a byte-order mark. Validated
    first, then answered 304 when the client's copy is current."""

    catalogue_list: CatalogueList = None
    format = "csv"
    validates_query = True  # a NUL in a value is this view's 400, not the middleware's

    def get(self, request):
        filterset = self.catalogue_list.filter(request.GET)
        errors = [] if filterset.is_valid() else filterset.error_messages()
        fields = request.GET.getlist("fields")
        try:
            if self.format == "json":  # the API's objects: its fields
                fields = self.catalogue_list.fields_for(fields)
            else:
                columns = self.catalogue_list.columns_for(fields)
        except UnknownColumns as error:
            errors.append(f"fields: {error}")
        if errors:
            return bad_request(errors)
        # Read before the export's own reads (on PostgreSQL its snapshot): the ETag may be
        # older than the rows, which costs a client one needless download, never newer.
        version = versions.current()
        if answer := not_modified(request, version):
            return answer
        bom = request.GET.get("bom", "").strip().lower() in {"1", "true", "yes"}
        queryset = filterset.qs
        filename = filterset.filename(self.format, timezone.localdate())
        base = site_base(request)
        tally = exports.Tally()
        if self.format == "json":  # the API's objects (docs/api.md), every one
            content = records.json_export(self.catalogue_list, filterset, base, fields, tally)
            content_type = "application/json; charset=utf-8"
        elif self.catalogue_list.sql_writer and connection.vendor == "postgresql":
            # The database writes the CSV itself: about as fast as a bare COPY.
            key = filterset.sort().key
            content = exports_sql.stream_csv(
                columns, queryset, key, base, bom=bom, tally=tally,
                known=lambda: counters.count(filterset, queryset.db),
            )  # fmt: skip
            content_type = "text/csv; charset=utf-8"
        else:
            if self.catalogue_list.rows is not None:  # computed in Python: read whole, counted
                rows = self.catalogue_list.rows(filterset, base)
                rows = ({column.name: column.value(row) for column in columns} for row in rows)
                count = None
            else:
                rows = exports.rows(queryset, columns, base=base)
                count = queryset.count
            content = exports.csv_export(
                columns, rows, using=queryset.db, tally=tally, count=count, bom=bom
            )
            content_type = "text/csv; charset=utf-8"
        return with_version(streaming(content, filename, content_type, queryset.db, tally), version)
