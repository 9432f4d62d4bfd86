"""/api/: every list and every record as JSON, read-only.

A list takes exactly its pages' parameters (the list's declaration, cooperation/lists.py),
plus `after`/`before`/`page_size` (listing.py) and `fields`. Every answer carries the
catalogue's version as ETag and Last-Modified, and a conditional request for an unchanged
catalogue gets 304 before any record is read.
"""

from csp.decorators import csp_update
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.decorators import method_decorator
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from drf_spectacular.views import SpectacularSwaggerSplitView
from rest_framework.generics import GenericAPIView
from rest_framework.mixins import ListModelMixin
from rest_framework.response import Response
from rest_framework.views import APIView

from .. import summaries, versions
from ..columns import UnknownColumns
from ..lists import (
    COUNTRIES,
    EVENTS,
    LISTS,
    ORGANIZATIONS,
    PEOPLE,
    PROGRAMMES,
    SOURCES,
    YEARS,
    with_event_counts,
    years_item,
)
from ..models import FIRST_YEAR, LAST_YEAR, Event
from ..views.common import not_modified, site_base, with_version
from . import records
from .listing import (
    PAGING_PARAMS,
    BadQuery,
    DeclaredFilters,
    KeysetPagination,
    Problem,
    Problems,
    Unavailable,
    refuse_unknown,
)


class Conditional:
    """ETag and Last-Modified from the catalogue's version (one read of one row), as the
    exports give them; 304 when the client's copy is current."""

    http_method_names = ["get", "head", "options"]
    validates_query = True  # a NUL in a value is a 400 naming its parameter (not middleware's)

    def not_modified(self, request):
        self.version = versions.current()
        return not_modified(request, self.version)

    def current(self, response):
        return with_version(response, self.version)


class Endpoint(Conditional, GenericAPIView):
    catalogue_list = None

    def get_serializer_class(self):
        return self.catalogue_list.serializer

    def get_queryset(self):
        return self.catalogue_list.queryset()

    def prefetch(self, queryset):
        return records.prefetch(self.catalogue_list, queryset, getattr(self, "fields", None))

    def choose_fields(self, request):
        try:
            self.fields = self.catalogue_list.fields_for(request.query_params.getlist("fields"))
        except UnknownColumns as error:
            raise BadQuery([f"fields: {error}"]) from error

    def get_serializer_context(self):
        return {"base": site_base(self.request), "fields": getattr(self, "fields", None)}

    def counted(self, rows):
        return with_event_counts(self.catalogue_list, rows)


class ListEndpoint(ListModelMixin, Endpoint):
    """A page of a list. (ListModelMixin tells the OpenAPI generator that this is a list:
    its parameters and its paginated answer are then described.)"""

    filter_backends = [DeclaredFilters]
    pagination_class = KeysetPagination

    def get(self, request, *args, **kwargs):
        filterset = self.catalogue_list.filterset
        refuse_unknown(request.query_params, [*filterset.base_filters, *PAGING_PARAMS, "fields"])
        self.choose_fields(request)
        queryset = self.filter_queryset(self.get_queryset())  # validates every parameter
        if response := self.not_modified(request):
            return response
        page = self.counted(self.paginate_queryset(queryset))
        data = self.get_serializer(page, many=True).data
        records.release(self.catalogue_list, page)
        return self.current(self.get_paginated_response(data))

    def rows(self, filterset):
        """The rows of a list that is not a list of records (years), cached as its page."""
        rows = summaries.cached(*years_item(filterset), budget_ms=summaries.budget("summary"))
        if rows is None:
            raise Unavailable("Counting these events by year takes too long just now.")
        return rows


class RecordEndpoint(Endpoint):
    """One record, with the same fields as a row of its list."""

    lookup = "slug"

    def get(self, request, key, *args, **kwargs):
        refuse_unknown(request.query_params, ["fields"])
        self.choose_fields(request)
        if response := self.not_modified(request):
            return response
        record = get_object_or_404(self.prefetch(self.get_queryset()), **{self.lookup: key})
        [record] = self.counted([record])
        data = self.get_serializer(record).data
        records.release(self.catalogue_list, [record])
        return self.current(Response(data))


def fields_schema(catalogue_list):
    return OpenApiParameter(
        "fields",
        type={"type": "array", "items": {"type": "string"}},
        enum=list(catalogue_list.serializer().fields),
        style="form",
        explode=False,
        description="The fields each record carries, comma-separated (all by default).",
    )


NOT_MODIFIED = OpenApiResponse(description="The catalogue has not changed since your copy.")


def record_responses(catalogue_list):
    return {
        200: catalogue_list.serializer,
        304: NOT_MODIFIED,
        400: Problems,
        404: OpenApiResponse(Problem, "No such record."),
    }


def list_view(catalogue_list, summary: str):
    """The API list of a declared list, described for the OpenAPI document."""
    tag = catalogue_list.name
    view = type(f"{tag.title()}List", (ListEndpoint,), {"catalogue_list": catalogue_list,
                "__doc__": f"The list of {tag}."})  # fmt: skip
    return extend_schema_view(
        get=extend_schema(
            operation_id=f"{tag}_list",
            summary=summary,
            description=f"The parameters of /{tag}/ and its exports, validated the same way.",
            tags=[tag],
            parameters=[fields_schema(catalogue_list)],
            responses={
                200: catalogue_list.serializer(many=True),
                304: NOT_MODIFIED,
                400: Problems,
                503: OpenApiResponse(Problem, "A count sort that cannot be ranked in time."),
            },
        )
    )(view)


def record_view(catalogue_list, lookup="slug", key="slug"):
    """The API view of one record of a declared list."""
    tag = catalogue_list.name
    view = type(f"{tag.title()}Record", (RecordEndpoint,), {"catalogue_list": catalogue_list,
                "lookup": lookup, "__doc__": f"One of the {tag}."})  # fmt: skip
    return extend_schema_view(
        get=extend_schema(
            operation_id=f"{tag}_record",
            summary=f"One of the {tag}, as a row of their list",
            tags=[tag],
            parameters=[
                fields_schema(catalogue_list),
                OpenApiParameter("key", str, OpenApiParameter.PATH, description=key),
            ],
            responses=record_responses(catalogue_list),
        )
    )(view)


EventList = list_view(EVENTS, "Events: a filtered, sorted page")
CountryList = list_view(COUNTRIES, "Countries with their numbers of events")
ProgrammeList = list_view(PROGRAMMES, "Programmes with their numbers of events")
OrganizationList = list_view(ORGANIZATIONS, "Organizations with their numbers of events")
PersonList = list_view(PEOPLE, "People with their numbers of events")
SourceList = list_view(SOURCES, "Sources with the number of events citing them")
YearList = list_view(YEARS, "Years: how the chosen events spread over them, newest first")
EventRecord = record_view(EVENTS)
CountryRecord = record_view(COUNTRIES, "code__iexact", "ISO alpha-2 code, any case")
ProgrammeRecord = record_view(PROGRAMMES)
OrganizationRecord = record_view(ORGANIZATIONS)
PersonRecord = record_view(PEOPLE)
SourceRecord = record_view(SOURCES)


class YearRecord(Endpoint):
    catalogue_list = YEARS

    @extend_schema(
        operation_id="years_record",
        summary="One year: how many events were under way in it",
        tags=["years"],
        parameters=[fields_schema(YEARS)],
        responses=record_responses(YEARS),
    )
    def get(self, request, year):
        refuse_unknown(request.query_params, ["fields"])
        self.choose_fields(request)
        if not FIRST_YEAR <= year <= LAST_YEAR:
            raise Http404("No such year.")
        if response := self.not_modified(request):
            return response
        total = summaries.count(Event.objects.in_year(year), f"year:{year}", f"year:{year}")
        if total.exact and not total.value:
            raise Http404("No event was under way in that year.")
        row = {"year": year, "events": total.value, "query": f"year={year}"}
        return self.current(Response(self.get_serializer(row).data))


class Index(Conditional, APIView):
    """Where everything is: each list's address, the OpenAPI document and its page."""

    @extend_schema(exclude=True)
    def get(self, request):
        if request.query_params:
            raise BadQuery(["this page takes no parameters."])
        absolute = request.build_absolute_uri
        return Response(
            {
                "lists": {name: absolute(reverse(f"api:{name}-list")) for name in LISTS},
                "openapi": absolute(reverse("api:openapi")),
                "documentation": absolute(reverse("api:docs")),
                "downloads": absolute("/downloads/"),
            }
        )


@method_decorator(csp_update({"style-src": ["'unsafe-inline'"]}), name="dispatch")
class Documentation(SpectacularSwaggerSplitView):
    """The OpenAPI document as a page to read and try (Swagger UI, served from static/: no
    CDN). Swagger UI sets inline styles, so this page alone allows them."""

    title = "Cooperation catalogue API"


class NotFound(APIView):
    """No such address in the API."""

    http_method_names = ["get", "head", "options"]

    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        raise Http404("No such address in the API; /api/ lists the lists.")
