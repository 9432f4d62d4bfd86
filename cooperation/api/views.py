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
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.decorators import method_decorator
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from drf_spectacular.views import SpectacularSwaggerSplitView
from rest_framework.generics import GenericAPIView
from rest_framework.mixins import ListModelMixin
from rest_framework.response import Response
from rest_framework.views import APIView

from .. import summaries, versions
from ..lists import COUNTRIES, EVENTS, LISTS, ORGANIZATIONS, PEOPLE, PROGRAMMES, SOURCES, YEARS
from ..models import Event
from ..views.common import site_base
from . import serializers
from .listing import (
    PAGING_PARAMS,
    BadQuery,
    DeclaredFilters,
    KeysetPagination,
    Unavailable,
    chosen_fields,
    refuse_unknown,
)


class Conditional:
    """ETag and Last-Modified from the catalogue's version (one read of one row)."""

    http_method_names = ["get", "head", "options"]
    validates_query = True  # a NUL in a value is a 400 naming its parameter (not middleware's)

    def not_modified(self, request):
        self.version = versions.current()
        return get_conditional_response(
            request,
            etag=self.version.etag,
            last_modified=int(self.version.changed_at.timestamp()),
        )

    def current(self, response):
        response["ETag"] = self.version.etag
        response["Last-Modified"] = self.version.last_modified
        patch_cache_control(response, public=True, no_cache=True)
        return response


class Endpoint(Conditional, GenericAPIView):
    catalogue_list = None
    serializer_class = None

    def get_queryset(self):
        return self.catalogue_list.queryset()

    def prefetch(self, queryset):
        prefetch = getattr(self.serializer_class, "prefetch", None)
        return prefetch(queryset) if prefetch else queryset

    def field_names(self):
        return list(self.serializer_class().fields)

    def get_serializer_context(self):
        return {"base": site_base(self.request), "fields": getattr(self, "fields", None)}

    def counted(self, records):
        """Each record with its number of events (`n`), as the list's "-events" sort counts
        them; countries with what they hosted and took part in."""
        records = list(records)
        if self.catalogue_list in (EVENTS, YEARS) or not records:
            return records
        if self.catalogue_list is COUNTRIES:
            counts = summaries.country_event_counts()
            for record in records:
                hosted, taken = (counts or {}).get(record.pk, (0, 0))
                record.events_hosted = hosted if counts is not None else None
                record.events_taken_part = taken if counts is not None else None
                if not hasattr(record, "n"):  # a ranking's count is already there
                    record.n = hosted + taken if counts is not None else None
            return records
        missing = [record.pk for record in records if not hasattr(record, "n")]
        if missing:
            by_events = self.catalogue_list.filterset.base_filters["sort"].sorts["-events"]
            counts = dict(
                self.catalogue_list.model.objects.filter(pk__in=missing)
                .annotate(n=by_events.count)
                .values_list("pk", "n")
            )
            for record in records:
                if not hasattr(record, "n"):
                    record.n = counts.get(record.pk, 0)
        return records


class ListEndpoint(ListModelMixin, Endpoint):
    """A page of a list. (ListModelMixin tells the OpenAPI generator that this is a list:
    its parameters and its paginated answer are then described.)"""

    filter_backends = [DeclaredFilters]
    pagination_class = KeysetPagination

    def get(self, request, *args, **kwargs):
        filterset = self.catalogue_list.filterset
        refuse_unknown(request.query_params, [*filterset.base_filters, *PAGING_PARAMS, "fields"])
        self.fields = chosen_fields(request.query_params, self.field_names())
        queryset = self.filter_queryset(self.get_queryset())  # validates every parameter
        if response := self.not_modified(request):
            return response
        page = self.counted(self.paginate_queryset(queryset))
        data = self.get_serializer(page, many=True).data
        return self.current(self.get_paginated_response(data))

    def rows(self, filterset):
        """The rows of a list that is not a list of records (years), cached as its page."""
        rows = summaries.cached(
            f"years:{filterset.cache_key()}",
            lambda: list(self.catalogue_list.rows(filterset)),
            budget_ms=summaries.budget("summary"),
        )
        if rows is None:
            raise Unavailable("Counting these events by year takes too long just now.")
        return rows


class RecordEndpoint(Endpoint):
    """One record, with the same fields as a row of its list."""

    lookup = "slug"

    def get(self, request, key, *args, **kwargs):
        refuse_unknown(request.query_params, ["fields"])
        self.fields = chosen_fields(request.query_params, self.field_names())
        if response := self.not_modified(request):
            return response
        record = get_object_or_404(self.prefetch(self.get_queryset()), **{self.lookup: key})
        [record] = self.counted([record])
        return self.current(Response(self.get_serializer(record).data))


def fields_schema(serializer_class):
    return OpenApiParameter(
        "fields",
        type={"type": "array", "items": {"type": "string"}},
        enum=list(serializer_class().fields),
        style="form",
        explode=False,
        description="The fields each record carries, comma-separated (all by default).",
    )


def endpoints(catalogue_list, serializer_class, noun: str, lookup="slug", key_type=str):
    """The list and record views of one list, described for the OpenAPI document."""
    tag = catalogue_list.name
    listing = extend_schema_view(get=extend_schema(
        operation_id=f"{tag}_list",
        summary=f"{noun}: a filtered, sorted page",
        description=f"The parameters of /{tag}/, validated the same way.",
        tags=[tag],
        parameters=[fields_schema(serializer_class)],
    ))(type(f"{noun}List", (ListEndpoint,), {
        "catalogue_list": catalogue_list, "serializer_class": serializer_class,
        "__doc__": f"The list of {tag}."}))  # fmt: skip
    record = extend_schema_view(get=extend_schema(
        operation_id=f"{tag}_record",
        summary=f"One record of {tag}",
        tags=[tag],
        parameters=[
            fields_schema(serializer_class),
            OpenApiParameter("key", key_type, OpenApiParameter.PATH),
        ],
    ))(type(f"{noun}Record", (RecordEndpoint,), {
        "catalogue_list": catalogue_list, "serializer_class": serializer_class,
        "lookup": lookup, "__doc__": f"One of the {tag}."}))  # fmt: skip
    return listing, record


EventList, EventRecord = endpoints(EVENTS, serializers.EventSerializer, "Event")
CountryList, CountryRecord = endpoints(
    COUNTRIES, serializers.CountrySerializer, "Country", lookup="code__iexact"
)
ProgrammeList, ProgrammeRecord = endpoints(PROGRAMMES, serializers.ProgrammeSerializer, "Programme")
OrganizationList, OrganizationRecord = endpoints(
    ORGANIZATIONS, serializers.OrganizationSerializer, "Organization"
)
PersonList, PersonRecord = endpoints(PEOPLE, serializers.PersonSerializer, "Person")
SourceList, SourceRecord = endpoints(SOURCES, serializers.SourceSerializer, "Source")
YearList = extend_schema_view(get=extend_schema(
    operation_id="years_list",
    summary="Years: how the chosen events spread over the years, newest first",
    tags=["years"],
    parameters=[fields_schema(serializers.YearSerializer)],
))(type("YearList", (ListEndpoint,), {
    "catalogue_list": YEARS, "serializer_class": serializers.YearSerializer}))  # fmt: skip


class YearRecord(Conditional, GenericAPIView):
    serializer_class = serializers.YearSerializer

    @extend_schema(
        operation_id="years_record",
        summary="One year: how many events were under way in it",
        tags=["years"],
        parameters=[fields_schema(serializers.YearSerializer)],
    )
    def get(self, request, year):
        refuse_unknown(request.query_params, ["fields"])
        fields = chosen_fields(request.query_params, list(self.serializer_class().fields))
        if not 1000 <= year <= 9999:
            raise Http404("No such year.")
        if response := self.not_modified(request):
            return response
        total = summaries.count(Event.objects.in_year(year), f"year:{year}")
        if total.exact and not total.value:
            raise Http404("No event was under way in that year.")
        row = {"year": year, "events": total.value, "query": f"year={year}"}
        context = {"base": site_base(request), "fields": fields}
        return self.current(Response(self.serializer_class(row, context=context).data))


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
