"""The events list, its exports, and event pages."""

from django.db import connection
from django.db.models import Q
from django.shortcuts import render
from django.utils import timezone
from django.views import View
from django.views.generic import DetailView

from .. import exports, exports_sql, summaries
from ..filters import REGIONS, EventFilter
from ..models import Country, Event, EventCountry, EventOrganization, Programme
from ..pagination import BadPosition, encode, window
from .common import (
    EVENT_SORTS,
    absolute_url_builder,
    bad_request,
    count,
    event_window,
    export_query,
    filter_key,
    streaming,
    toggled,
)


def filter_choices(filterset):
    """Options for the filter form: countries and programmes that have events."""
    selected = filterset.form.cleaned_data if filterset.form.is_valid() else {}
    chosen_countries = {c.code for c in selected.get("country") or []}
    chosen_programmes = {p.slug for p in selected.get("programme") or []}
    countries = Country.objects.filter(
        Q(pk__in=EventCountry.objects.values("country_id")) | Q(code__in=chosen_countries)
    ).values_list("code", "name")
    programmes = Programme.objects.filter(
        Q(pk__in=Event.programmes.through.objects.values("programme_id"))
        | Q(slug__in=chosen_programmes)
    ).values_list("slug", "name")
    sorts = EventFilter.base_filters["sort"].extra["choices"]
    return {
        "countries": [(code.lower(), name, code in chosen_countries) for code, name in countries],
        "programmes": [(slug, name, slug in chosen_programmes) for slug, name in programmes],
        "types": [
            (value, label, value in (selected.get("type") or []))
            for value, label in Event.Type.choices
        ],
        "regions": [
            (region.lower(), region, region.lower() in (selected.get("region") or []))
            for region in REGIONS
        ],
        "country_roles": [
            (value, label, value == selected.get("country_role"))
            for value, label in EventCountry.Role.choices
        ],
        "organization_roles": [
            (value, label, value == selected.get("organization_role"))
            for value, label in EventOrganization.Role.choices
        ],
        "sorts": [
            (value, label, value == (selected.get("sort") or EventFilter.DEFAULT_SORT))
            for value, label in sorts
        ],
        "years": selected.get("year") or [],
        "organizations": selected.get("organization") or [],
        "people": selected.get("person") or [],
    }


def with_urls(facets, chips, query):
    """Links for each facet value (add it) and each active filter (remove it)."""
    lowered = {key: [v.lower() for v in query.getlist(key)] for key in query}
    normalised = query.copy()
    for key in ("country", "region", "type"):
        if key in lowered:
            normalised.setlist(key, lowered[key])
    if facets["types"] is not None:
        facets["types"] = [
            (kind, label, n, toggled(normalised, "type", kind), kind in lowered.get("type", []))
            for kind, label, n in facets["types"]
        ]
    if facets["years"] is not None:
        facets["years"] = [
            (year, n, toggled(normalised, "year", str(year)), str(year) in query.getlist("year"))
            for year, n in facets["years"]
        ]
    if facets["countries"] is not None:
        facets["countries"] = [
            (code, name, n, toggled(normalised, "country", code.lower()),
             code.lower() in lowered.get("country", []))
            for code, name, n in facets["countries"]
        ]  # fmt: skip
    if facets["programmes"] is not None:
        facets["programmes"] = [
            (slug, name, n, toggled(normalised, "programme", slug),
             slug in query.getlist("programme"))
            for slug, name, n in facets["programmes"]
        ]  # fmt: skip
    for chip in chips:
        remaining = normalised.copy()
        for name in ("page", "after", "before"):
            remaining.pop(name, None)
        remaining.setlist(
            chip["param"],
            [v for v in normalised.getlist(chip["param"]) if v.lower() != chip["value"].lower()],
        )
        chip["remove"] = remaining.urlencode()
    return facets, chips


class EventListView(View):
    """/events/ — the filtered, sorted list with facet counts, a window of rows at a time."""

    template_name = "cooperation/event_list.html"

    def get(self, request):
        filterset = EventFilter(request.GET or None, queryset=Event.objects.all())
        context = {"filter": filterset, "title": "Events"}
        if filterset.is_bound and not filterset.is_valid():
            context["errors"] = filterset.error_messages()
            return render(request, self.template_name, context, status=400)
        result = filterset.qs
        sort = filterset.form.cleaned_data.get("sort") if filterset.is_bound else None
        try:
            page = event_window(request, result.for_listing(), sort)
        except BadPosition as error:
            context["errors"] = [str(error)]
            return render(request, self.template_name, context, status=400)
        key = filter_key(filterset.data or {})
        total = count(result, f"events:{key}")
        facets = summaries.event_facets(result, key)
        facets, chips = with_urls(facets, filterset.active_filters(), request.GET)
        context.update(
            title=filterset.describe(),
            page=page,
            events=page.rows,
            total=total.value,
            count=total,
            facets=facets,
            chips=chips,
            export_query=export_query(request.GET),
            filter_choices=filter_choices(filterset),
        )
        return render(request, self.template_name, context)


class EventExportView(View):
    """/events/export.csv and /events/export.json: the same query string as /events/."""

    format = "csv"

    def get(self, request):
        filterset = EventFilter(request.GET or None, queryset=Event.objects.all())
        if filterset.is_bound and not filterset.is_valid():
            return bad_request(filterset.error_messages())
        bom = request.GET.get("bom", "") in {"1", "true", "yes"}
        filename = filterset.filename("events", self.format, timezone.localdate())
        if self.format == "csv" and connection.vendor == "postgresql":
            # The database writes the CSV itself: about as fast as a bare COPY.
            sort = (
                filterset.form.cleaned_data.get("sort") if filterset.is_bound else ""
            ) or "-date"
            content = exports_sql.stream_csv(
                filterset.qs,
                EVENT_SORTS[sort],
                sort,
                request.build_absolute_uri("/events/"),
                bom=bom,
            )
            return streaming(content, filename, "text/csv; charset=utf-8", filterset.qs.db)
        rows = exports.event_rows(
            filterset.qs,
            absolute_url=absolute_url_builder(request),
            as_lists=self.format == "json",
        )
        if self.format == "json":
            return streaming(
                exports.json_stream(rows),
                filename,
                "application/json; charset=utf-8",
                filterset.qs.db,
            )
        return streaming(
            exports.csv_stream(exports.EVENT_COLUMNS, rows, bom=bom),
            filename,
            "text/csv; charset=utf-8",
            filterset.qs.db,
        )


def neighbours(event):
    """The events just before and after this one in date order (keyset conditions, so each is
    one short index read)."""
    key = EVENT_SORTS["date"]
    earlier = window(Event.objects.all(), key, before=encode(event.start_date, event.pk), size=1)
    later = window(Event.objects.all(), key, after=encode(event.start_date, event.pk), size=1)
    return (earlier.rows or [None])[0], (later.rows or [None])[0]


class EventDetailView(DetailView):
    template_name = "cooperation/event_detail.html"
    context_object_name = "event"
    CHILDREN_SHOWN = 100

    def get_queryset(self):
        return Event.objects.for_detail()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        event = self.object
        context["earlier"], context["later"] = neighbours(event)
        children = list(event.children.order_by("start_date", "id")[: self.CHILDREN_SHOWN + 1])
        context["children"] = children[: self.CHILDREN_SHOWN]
        context["more_children"] = len(children) > self.CHILDREN_SHOWN
        return context
