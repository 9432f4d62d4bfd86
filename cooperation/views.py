"""Public pages. Views stay thin: filtering lives in filters.py, rows for exports in exports.py,
query vocabulary on the models' querysets."""

from collections import OrderedDict

from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db import connection
from django.db.models import Count, Prefetch, Q
from django.db.models.functions import ExtractYear
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.views import View
from django.views.generic import DetailView, TemplateView

from . import exports
from .charts import bar_chart
from .filters import (
    REGIONS,
    CountryFilter,
    EventFilter,
    OrganizationFilter,
    PersonFilter,
    ProgrammeFilter,
)
from .models import (
    Country,
    Event,
    EventCountry,
    EventOrganization,
    EventPerson,
    Organization,
    OrganizationCitation,
    Person,
    PersonCitation,
    Programme,
    ProgrammeCitation,
    Source,
)

PAGE_SIZE = 25
FACET_LIMIT = 12


class BadPage(Exception):
    """A page parameter that is not a page of this list."""


def paginate(request, queryset, per_page=None):
    paginator = Paginator(queryset, per_page or PAGE_SIZE)
    raw = request.GET.get("page", "1")
    try:
        return paginator.page(raw)
    except PageNotAnInteger as error:
        raise BadPage(f"page: “{raw[:40]}” is not a page number.") from error
    except EmptyPage as error:
        raise BadPage(
            f"page: there is no page {raw[:40]}; this list has {paginator.num_pages} "
            f"page{'s' if paginator.num_pages != 1 else ''}."
        ) from error


def absolute_url_builder(request):
    return request.build_absolute_uri


def events_per_year(queryset):
    """(year, count) by start year, oldest first, over a queryset of events."""
    return list(
        queryset.order_by()
        .annotate(year=ExtractYear("start_date"))
        .values_list("year")
        .annotate(n=Count("id"))
        .order_by("year")
    )


def year_chart(title, counts, url_for):
    """Bars for every year from the first to the last, empty years included, so that gaps
    in the record show as gaps."""
    by_year = dict(counts)
    years = range(min(by_year), max(by_year) + 1) if by_year else []
    return bar_chart(title, [(str(year), by_year.get(year, 0), url_for(year)) for year in years])


# ---- Home ---------------------------------------------------------------------------------


class HomeView(TemplateView):
    template_name = "cooperation/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        events = Event.objects.all()
        per_year = events_per_year(events)
        context.update(
            counts={
                "events": events.count(),
                "programmes": Programme.objects.count(),
                "organizations": Organization.objects.count(),
                "people": Person.objects.count(),
                "countries": Country.objects.filter(event_links__isnull=False).distinct().count(),
                "sources": Source.objects.count(),
            },
            chart=year_chart(
                "Events per year",
                per_year,
                lambda year: f"{reverse('cooperation:event-list')}?year={year}",
            ),
            top_countries=Country.objects.annotate(n=Count("event_links__event", distinct=True))
            .filter(n__gt=0)
            .order_by("-n", "name")[:10],
            top_programmes=Programme.objects.annotate(n=Count("events", distinct=True))
            .filter(n__gt=0)
            .order_by("-n", "name")[:8],
            top_organizations=Organization.objects.annotate(n=Count("events", distinct=True))
            .filter(n__gt=0)
            .order_by("-n", "name")[:8],
            latest_events=Event.objects.for_listing().order_by("-start_date", "-id")[:8],
        )
        return context


# ---- Events -------------------------------------------------------------------------------


def event_facets(queryset):
    """How many events of the current result fall under each type, year, country, programme."""
    ids = queryset.order_by().values("pk")
    type_labels = dict(Event.Type.choices)
    types = [
        (kind, type_labels[kind], n)
        for kind, n in queryset.order_by()
        .values_list("type")
        .annotate(n=Count("id"))
        .order_by("-n", "type")
    ]
    years = sorted(events_per_year(queryset), reverse=True)
    countries = list(
        EventCountry.objects.filter(event__in=ids)
        .values_list("country__code", "country__name")
        .annotate(n=Count("event", distinct=True))
        .order_by("-n", "country__name")[:FACET_LIMIT]
    )
    programmes = list(
        Event.programmes.through.objects.filter(event__in=ids)
        .values_list("programme__slug", "programme__name")
        .annotate(n=Count("event", distinct=True))
        .order_by("-n", "programme__name")[:FACET_LIMIT]
    )
    return {"types": types, "years": years, "countries": countries, "programmes": programmes}


def filter_choices(filterset):
    """Options for the filter form: countries and programmes that have events."""
    selected = filterset.form.cleaned_data if filterset.form.is_valid() else {}
    chosen_countries = {c.code for c in selected.get("country") or []}
    chosen_programmes = {p.slug for p in selected.get("programme") or []}
    countries = Country.objects.filter(
        Q(pk__in=EventCountry.objects.values("country_id")) | Q(code__in=chosen_countries)
    ).values_list("code", "name")
    programmes = Programme.objects.values_list("slug", "name")
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
            for value, label in EventFilter.base_filters["sort"].extra["choices"]
        ],
        "years": selected.get("year") or [],
        "organizations": selected.get("organization") or [],
        "people": selected.get("person") or [],
    }


class EventListView(View):
    """/events/ — the filtered, sorted, paginated list with facet counts."""

    template_name = "cooperation/event_list.html"

    def get(self, request):
        filterset = EventFilter(request.GET or None, queryset=Event.objects.all())
        context = {"filter": filterset, "title": "Events"}
        if filterset.is_bound and not filterset.is_valid():
            context["errors"] = filterset.error_messages()
            return render(request, self.template_name, context, status=400)
        result = filterset.qs
        try:
            page = paginate(request, result.for_listing())
        except BadPage as error:
            context["errors"] = [str(error)]
            return render(request, self.template_name, context, status=400)
        facets, chips = with_urls(event_facets(result), filterset.active_filters(), request.GET)
        context.update(
            title=filterset.describe(),
            page_obj=page,
            events=page.object_list,
            total=page.paginator.count,
            facets=facets,
            chips=chips,
            export_query=export_query(request),
            filter_choices=filter_choices(filterset),
        )
        return render(request, self.template_name, context)


def toggled(query, param, value) -> str:
    """The query string with one value of a parameter added, or removed if present; page 1."""
    query = query.copy()
    query.pop("page", None)
    values = query.getlist(param)
    if value in values:
        values.remove(value)
    else:
        values.append(value)
    query.setlist(param, values)
    return query.urlencode()


def with_urls(facets, chips, query):
    """Links for each facet value (add it) and each active filter (remove it)."""
    lowered = {key: [v.lower() for v in query.getlist(key)] for key in query}
    normalised = query.copy()
    for key in ("country", "region", "type"):
        if key in lowered:
            normalised.setlist(key, lowered[key])
    facets["types"] = [
        (kind, label, n, toggled(normalised, "type", kind), kind in lowered.get("type", []))
        for kind, label, n in facets["types"]
    ]
    facets["years"] = [
        (year, n, toggled(normalised, "year", str(year)), str(year) in query.getlist("year"))
        for year, n in facets["years"]
    ]
    facets["countries"] = [
        (code, name, n, toggled(normalised, "country", code.lower()),
         code.lower() in lowered.get("country", []))
        for code, name, n in facets["countries"]
    ]  # fmt: skip
    facets["programmes"] = [
        (slug, name, n, toggled(normalised, "programme", slug), slug in query.getlist("programme"))
        for slug, name, n in facets["programmes"]
    ]
    for chip in chips:
        values = lowered.get(chip["param"], [])
        remaining = normalised.copy()
        remaining.pop("page", None)
        remaining.setlist(
            chip["param"],
            [v for v in normalised.getlist(chip["param"]) if v.lower() != chip["value"].lower()],
        )
        chip["remove"] = remaining.urlencode()
        chip["present"] = bool(values)
    return facets, chips


def export_query(request) -> str:
    """The list's query string for its export links: the same filters, every page."""
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def bad_request(messages) -> HttpResponse:
    body = "The query string could not be used:\n" + "\n".join(f"- {m}" for m in messages)
    return HttpResponse(body + "\n", status=400, content_type="text/plain; charset=utf-8")


def streaming(content, filename, content_type):
    # Once streaming has begun the status cannot change: make sure the database answers now,
    # so that an outage is a 503 rather than a truncated file.
    connection.ensure_connection()
    response = StreamingHttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class EventExportView(View):
    """/events/export.csv and /events/export.json: the same query string as /events/."""

    format = "csv"

    def get(self, request):
        filterset = EventFilter(request.GET or None, queryset=Event.objects.all())
        if filterset.is_bound and not filterset.is_valid():
            return bad_request(filterset.error_messages())
        bom = request.GET.get("bom", "") in {"1", "true", "yes"}
        filename = filterset.filename("events", self.format, timezone.localdate())
        rows = exports.event_rows(
            filterset.qs, absolute_url=absolute_url_builder(request), as_lists=self.format == "json"
        )
        if self.format == "json":
            return streaming(exports.json_stream(rows), filename, "application/json; charset=utf-8")
        return streaming(
            exports.csv_stream(exports.EVENT_COLUMNS, rows, bom=bom),
            filename,
            "text/csv; charset=utf-8",
        )


def neighbours(event):
    earlier = (
        Event.objects.filter(
            Q(start_date__lt=event.start_date) | Q(start_date=event.start_date, id__lt=event.id)
        )
        .order_by("-start_date", "-id")
        .first()
    )
    later = (
        Event.objects.filter(
            Q(start_date__gt=event.start_date) | Q(start_date=event.start_date, id__gt=event.id)
        )
        .order_by("start_date", "id")
        .first()
    )
    return earlier, later


class EventDetailView(DetailView):
    template_name = "cooperation/event_detail.html"
    context_object_name = "event"

    def get_queryset(self):
        return Event.objects.for_detail()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        event = self.object
        context["earlier"], context["later"] = neighbours(event)
        context["children"] = event.children.order_by("start_date", "id")
        return context


# ---- Countries ----------------------------------------------------------------------------


class NamedListView(View):
    """A searchable list of countries, programmes, organizations or people, with counts."""

    filterset_class = None
    template_name = ""
    title = ""
    export_name = ""
    sorts = {"name": ["name"], "-events": ["-event_count", "name"]}
    default_sort = "name"

    def queryset(self):
        raise NotImplementedError

    def get(self, request):
        filterset = self.filterset_class(request.GET or None, queryset=self.queryset())
        context = {"filter": filterset, "title": self.title}
        sort = request.GET.get("sort", self.default_sort)
        errors = filterset.error_messages() if filterset.is_bound else []
        if sort not in self.sorts:
            errors.append(f"sort: “{sort[:40]}” is not one of {', '.join(self.sorts)}.")
        if errors:
            context["errors"] = errors
            return render(request, self.template_name, context, status=400)
        try:
            page = paginate(request, filterset.qs.order_by(*self.sorts[sort]), per_page=50)
        except BadPage as error:
            context["errors"] = [str(error)]
            return render(request, self.template_name, context, status=400)
        context.update(
            page_obj=page,
            records=page.object_list,
            total=page.paginator.count,
            sort=sort,
            export_query=export_query(request),
        )
        return render(request, self.template_name, context)


class NamedExportView(View):
    filterset_class = None
    list_view = None
    columns: list[str] = []
    prefix = ""

    def rows(self, queryset, request):
        return exports.named_rows(
            queryset, self.columns, prefix=self.prefix, absolute_url=absolute_url_builder(request)
        )

    def get(self, request):
        view = self.list_view()
        filterset = self.filterset_class(request.GET or None, queryset=view.queryset())
        sort = request.GET.get("sort", view.default_sort)
        errors = filterset.error_messages() if filterset.is_bound else []
        if sort not in view.sorts:
            errors.append(f"sort: “{sort[:40]}” is not one of {', '.join(view.sorts)}.")
        if errors:
            return bad_request(errors)
        queryset = filterset.qs.order_by(*view.sorts[sort])
        filename = f"{self.prefix}-{timezone.localdate().isoformat()}.csv"
        bom = request.GET.get("bom", "") in {"1", "true", "yes"}
        return streaming(
            exports.csv_stream(self.columns, self.rows(queryset, request), bom=bom),
            filename,
            "text/csv; charset=utf-8",
        )


class CountryListView(NamedListView):
    filterset_class = CountryFilter
    template_name = "cooperation/country_list.html"
    title = "Countries"
    sorts = {
        "name": ["name"],
        "-events": ["-events_total", "name"],
        "-hosted": ["-events_hosted", "name"],
    }

    def queryset(self):
        return exports.with_event_counts(Country.objects.all()).annotate(
            events_total=Count("event_links__event", distinct=True)
        )


class CountryExportView(NamedExportView):
    filterset_class = CountryFilter
    list_view = CountryListView
    columns = exports.COUNTRY_COLUMNS
    prefix = "countries"

    def rows(self, queryset, request):
        return exports.country_rows(queryset, absolute_url=absolute_url_builder(request))


class CountryDetailView(View):
    """/countries/tz/ — the country's events (filterable like /events/), by year."""

    template_name = "cooperation/country_detail.html"

    def get(self, request, code):
        country = get_object_or_404(Country, code=code.upper())
        data = request.GET.copy()
        data.setlist("country", [country.code])
        filterset = EventFilter(data, queryset=Event.objects.all())
        context = {"country": country, "filter": filterset}
        if not filterset.is_valid():
            context["errors"] = filterset.error_messages()
            return render(request, self.template_name, context, status=400)
        result = filterset.qs
        try:
            page = paginate(request, result.for_listing())
        except BadPage as error:
            context["errors"] = [str(error)]
            return render(request, self.template_name, context, status=400)
        roles = dict(
            EventCountry.objects.filter(country=country)
            .values_list("role")
            .annotate(n=Count("event", distinct=True))
        )
        context.update(
            page_obj=page,
            events=page.object_list,
            total=page.paginator.count,
            roles=[(EventCountry.Role(role).label, n) for role, n in roles.items()],
            hosted_years=sorted(events_per_year(Event.objects.hosted_by(country)), reverse=True),
            chart=year_chart(
                f"Events involving {country.name} per year",
                events_per_year(Event.objects.involving(country)),
                lambda year: (
                    f"{reverse('cooperation:event-list')}?country={country.code.lower()}&year={year}"
                ),
            ),
            organizations=Organization.objects.filter(country=country)
            .annotate(n=Count("events", distinct=True))
            .order_by("-n", "name")[:50],
            people=Person.objects.filter(country=country)
            .annotate(n=Count("events", distinct=True))
            .order_by("-n", "name")[:50],
            chips=[chip for chip in filterset.active_filters() if chip["param"] != "country"],
            export_query=export_query_with(data),
        )
        return render(request, self.template_name, context)


def export_query_with(data) -> str:
    query = data.copy()
    query.pop("page", None)
    query.setlist("country", [code.lower() for code in query.getlist("country")])
    return query.urlencode()


# ---- Years --------------------------------------------------------------------------------


class YearListView(TemplateView):
    template_name = "cooperation/year_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        counts = events_per_year(Event.objects.all())
        context["years"] = list(reversed(counts))
        context["chart"] = year_chart(
            "Events per year", counts, lambda year: reverse("cooperation:year-detail", args=[year])
        )
        return context


class YearDetailView(View):
    template_name = "cooperation/year_detail.html"

    def get(self, request, year):
        if not 1000 <= year <= 9999:
            raise Http404("No such year")
        events = list(Event.objects.in_year(year).for_listing().order_by("start_date", "id"))
        months = OrderedDict()
        earlier, undated = [], []
        for event in events:
            if event.start_date.year < year:
                earlier.append(event)
            elif event.date_precision == "year":
                undated.append(event)
            else:
                months.setdefault(event.start_date.replace(day=1), []).append(event)
        years = [y for y, _ in events_per_year(Event.objects.all())]
        context = {
            "year": year,
            "total": len(events),
            "months": [(month.strftime("%B"), items) for month, items in months.items()],
            "earlier": earlier,
            "undated": undated,
            "previous_year": max((y for y in years if y < year), default=None),
            "next_year": min((y for y in years if y > year), default=None),
        }
        return render(request, self.template_name, context)


# ---- Programmes, organizations, people ---------------------------------------------------


class ProgrammeListView(NamedListView):
    filterset_class = ProgrammeFilter
    template_name = "cooperation/programme_list.html"
    title = "Programmes"

    def queryset(self):
        return Programme.objects.annotate(event_count=Count("events", distinct=True))


class ProgrammeExportView(NamedExportView):
    filterset_class = ProgrammeFilter
    list_view = ProgrammeListView
    columns = exports.PROGRAMME_COLUMNS
    prefix = "programmes"


class ProgrammeDetailView(DetailView):
    template_name = "cooperation/programme_detail.html"
    context_object_name = "programme"

    def get_queryset(self):
        return Programme.objects.select_related("parent").prefetch_related(
            "lead_organizations",
            "countries",
            "children",
            Prefetch("citations", queryset=ProgrammeCitation.objects.select_related("source")),
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        events = self.object.events.for_listing().order_by("start_date", "id")
        context["events"] = events
        context["chart"] = year_chart(
            "Events per year",
            events_per_year(self.object.events.all()),
            lambda year: (
                f"{reverse('cooperation:event-list')}?programme={self.object.slug}&year={year}"
            ),
        )
        return context


class OrganizationListView(NamedListView):
    filterset_class = OrganizationFilter
    template_name = "cooperation/organization_list.html"
    title = "Organizations"

    def queryset(self):
        return Organization.objects.select_related("country").annotate(
            event_count=Count("events", distinct=True)
        )


class OrganizationExportView(NamedExportView):
    filterset_class = OrganizationFilter
    list_view = OrganizationListView
    columns = exports.ORGANIZATION_COLUMNS
    prefix = "organizations"


class OrganizationDetailView(DetailView):
    template_name = "cooperation/organization_detail.html"
    context_object_name = "organization"

    def get_queryset(self):
        return Organization.objects.select_related("country", "parent").prefetch_related(
            "children",
            "led_programmes",
            Prefetch("citations", queryset=OrganizationCitation.objects.select_related("source")),
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        organization = self.object
        context["links"] = (
            EventOrganization.objects.filter(organization=organization)
            .select_related("event")
            .order_by("event__start_date", "event__id", "role")
        )
        context["representatives"] = (
            EventPerson.objects.filter(organization=organization)
            .select_related("person", "event")
            .order_by("person__name", "event__start_date")
        )
        return context


class PersonListView(NamedListView):
    filterset_class = PersonFilter
    template_name = "cooperation/person_list.html"
    title = "People"

    def queryset(self):
        return Person.objects.select_related("country").annotate(
            event_count=Count("events", distinct=True)
        )


class PersonExportView(NamedExportView):
    filterset_class = PersonFilter
    list_view = PersonListView
    columns = exports.PERSON_COLUMNS
    prefix = "people"


class PersonDetailView(DetailView):
    template_name = "cooperation/person_detail.html"
    context_object_name = "person"

    def get_queryset(self):
        return Person.objects.select_related("country").prefetch_related(
            Prefetch("citations", queryset=PersonCitation.objects.select_related("source")),
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["links"] = (
            EventPerson.objects.filter(person=self.object)
            .select_related("event", "organization")
            .order_by("event__start_date", "event__id")
        )
        return context


# ---- Sources ------------------------------------------------------------------------------


class SourceListView(TemplateView):
    template_name = "cooperation/source_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["sources"] = Source.objects.all()
        return context


class SourceDetailView(DetailView):
    template_name = "cooperation/source_detail.html"
    context_object_name = "source"
    model = Source

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        source = self.object
        context["event_citations"] = (
            source_citations(Event, source)
            .select_related("event")
            .order_by("event__start_date", "pk")
        )
        context["programme_citations"] = source_citations(Programme, source).select_related(
            "programme"
        )
        context["organization_citations"] = source_citations(Organization, source).select_related(
            "organization"
        )
        context["person_citations"] = source_citations(Person, source).select_related("person")
        return context


def source_citations(model, source):
    return model.citations.rel.related_model.objects.filter(source=source)
