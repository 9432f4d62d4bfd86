"""Lists and pages of countries, programmes, organizations, people and sources."""

from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db.models import Count, Prefetch, Q
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.views import View
from django.views.generic import DetailView

from .. import exports, summaries
from ..filters import CountryFilter, EventFilter, OrganizationFilter, PersonFilter, ProgrammeFilter
from ..models import (
    Country,
    Event,
    EventCitation,
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
from ..pagination import BadPosition
from .common import (
    absolute_url_builder,
    bad_request,
    count,
    event_window,
    export_query,
    filter_key,
    streaming,
    year_chart,
)

LIST_PAGE_SIZE = 50


def number_page(request, items, size=LIST_PAGE_SIZE):
    paginator = Paginator(items, size)
    raw = request.GET.get("page", "1")
    try:
        return paginator.page(raw)
    except PageNotAnInteger as error:
        raise BadPosition(f"page: “{raw[:40]}” is not a page number.") from error
    except EmptyPage as error:
        pages = paginator.num_pages
        raise BadPosition(
            f"page: there is no page {raw[:40]}; this list has {pages} page{'s' * (pages != 1)}."
        ) from error


class NamedListView(View):
    """A searchable list of records with their event counts; CSV at export.csv beside it.

    Counts for the rows shown are exact. Sorting by count ranks every matching record, which
    on a large catalogue runs within a time budget and is cached; if it cannot finish, the list
    is sorted by name, and says so.
    """

    filterset_class = None
    model = None
    link_model = None  # the event-link model whose rows are counted
    link_field = ""
    template_name = ""
    title = ""
    sorts = ("name", "-events")
    default_sort = "name"

    def queryset(self):
        return self.model.objects.all()

    def counts_for(self, pks) -> dict:
        rows = (
            self.link_model.objects.filter(**{f"{self.link_field}__in": pks})
            .values_list(self.link_field)
            .annotate(n=Count("event", distinct=True))
        )
        return dict(rows)

    link_relation = "events"

    def ranking_item(self, queryset, sort, filters):
        """(cache key, compute) for every matching record's (pk, count), most events first."""

        def compute():
            return list(
                queryset.annotate(n=Count(self.link_relation, distinct=True))
                .order_by("-n", "name")
                .values_list("pk", "n")
            )

        return (f"ranking:{self.model.__name__}:{sort}:{filters}", compute)

    def ranking(self, queryset, sort, filters):
        key, compute = self.ranking_item(queryset, sort, filters)
        return summaries.cached(key, compute, budget_ms=summaries.budget("summary"))

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
        queryset = filterset.qs
        notice = ""
        ranked = None
        if sort != "name":
            ranked = self.ranking(queryset, sort, filter_key(request.GET))
            if ranked is None:
                notice = "Sorting by number of events takes too long for this list just now; "
                notice += "it is sorted by name instead."
        try:
            if ranked is not None:
                page = number_page(request, ranked)
                records = summaries.with_counts(self.queryset(), page.object_list)
            else:
                page = number_page(request, queryset.order_by("name"))
                records = list(page.object_list)
                counts = self.counts_for([record.pk for record in records])
                for record in records:
                    record.n = counts.get(record.pk, 0)
        except BadPosition as error:
            context["errors"] = [str(error)]
            return render(request, self.template_name, context, status=400)
        self.decorate(records)
        context.update(
            page_obj=page,
            records=records,
            total=page.paginator.count,
            sort=sort if ranked is not None or sort == "name" else "name",
            notice=notice,
            export_query=export_query(request.GET),
        )
        return render(request, self.template_name, context)

    def decorate(self, records):
        """Add whatever else the rows show (the countries list: hosted and taken part)."""


class NamedExportView(View):
    list_view = None
    columns: list[str] = []
    prefix = ""

    def rows(self, queryset, request):
        return exports.named_rows(
            queryset, self.columns, prefix=self.prefix, absolute_url=absolute_url_builder(request)
        )

    def annotate(self, queryset):
        return queryset.annotate(event_count=Count("events", distinct=True))

    def get(self, request):
        view = self.list_view()
        filterset = view.filterset_class(request.GET or None, queryset=view.queryset())
        sort = request.GET.get("sort", view.default_sort)
        errors = filterset.error_messages() if filterset.is_bound else []
        if sort not in view.sorts:
            errors.append(f"sort: “{sort[:40]}” is not one of {', '.join(view.sorts)}.")
        if errors:
            return bad_request(errors)
        queryset = self.annotate(filterset.qs)
        ordering = {"name": ["name"]}.get(sort, ["-event_count", "name"])
        queryset = queryset.order_by(*ordering)
        filename = f"{self.prefix}-{timezone.localdate().isoformat()}.csv"
        bom = request.GET.get("bom", "") in {"1", "true", "yes"}
        return streaming(
            exports.csv_stream(self.columns, self.rows(queryset, request), bom=bom),
            filename,
            "text/csv; charset=utf-8",
            queryset.db,
        )


# ---- Countries ----------------------------------------------------------------------------


class CountryListView(NamedListView):
    filterset_class = CountryFilter
    model = Country
    link_model = EventCountry
    link_field = "country"
    link_relation = "event_links__event"
    template_name = "cooperation/country_list.html"
    title = "Countries"
    sorts = ("name", "-events", "-hosted")

    def ranking_item(self, queryset, sort, filters):
        if sort != "-hosted":
            return super().ranking_item(queryset, sort, filters)

        def compute():
            hosted = Count("event_links__event", filter=Q(event_links__role="host"), distinct=True)
            return list(queryset.annotate(n=hosted).order_by("-n", "name").values_list("pk", "n"))

        return (f"ranking:Country:{sort}:{filters}", compute)

    def counts_for(self, pks) -> dict:
        counts = summaries.country_event_counts() or {}
        return {pk: sum(counts.get(pk, (0, 0))) for pk in pks}

    def decorate(self, records):
        counts = summaries.country_event_counts()
        for record in records:
            if counts is None:
                record.events_hosted = record.events_taken_part = None
            else:
                record.events_hosted, record.events_taken_part = counts.get(record.pk, (0, 0))


class CountryExportView(NamedExportView):
    list_view = CountryListView
    columns = exports.COUNTRY_COLUMNS
    prefix = "countries"

    def annotate(self, queryset):
        return exports.with_event_counts(queryset).annotate(
            event_count=Count("event_links__event", distinct=True)
        )

    def rows(self, queryset, request):
        if request.GET.get("sort") == "-hosted":
            queryset = queryset.order_by("-events_hosted", "name")
        return exports.country_rows(queryset, absolute_url=absolute_url_builder(request))


class CountryDetailView(View):
    """/countries/tz/ — the country's events (filterable like /events/), by year."""

    template_name = "cooperation/country_detail.html"

    def get(self, request, code):
        country = get_object_or_404(Country, code=code)  # upper case (urls.CountryCode)
        data = request.GET.copy()
        data.setlist("country", [country.code])
        filterset = EventFilter(data, queryset=Event.objects.all())
        context = {"country": country, "filter": filterset}
        summary = summaries.country(country)
        context.update(
            roles=[(EventCountry.Role(role).label, n) for role, n in summary["roles"] or []],
            hosted_years=summary["hosted_years"],
            organizations=summaries.with_counts(Organization, summary["organizations"]),
            people=summaries.with_counts(Person, summary["people"]),
            chart=year_chart(
                f"Events involving {country.name} per year",
                summary["per_year"],
                lambda year: (
                    f"{reverse('cooperation:event-list')}"
                    f"?country={country.code.lower()}&year={year}"
                ),
            ),
            summary_incomplete=any(value is None for value in summary.values()),
        )
        if not filterset.is_valid():
            context["errors"] = filterset.error_messages()
            return render(request, self.template_name, context, status=400)
        result = filterset.qs
        try:
            page = event_window(request, result.for_listing(), filterset.form.cleaned_data["sort"])
        except BadPosition as error:
            context["errors"] = [str(error)]
            return render(request, self.template_name, context, status=400)
        total = count(result, f"country:{country.code}:{filter_key(data)}")
        query = data.copy()
        query.setlist("country", [country.code.lower()])
        context.update(
            page=page,
            events=page.rows,
            total=total.value,
            count=total,
            chips=[chip for chip in filterset.active_filters() if chip["param"] != "country"],
            export_query=export_query(query),
        )
        return render(request, self.template_name, context)


# ---- Programmes, organizations, people -----------------------------------------------------


class ProgrammeListView(NamedListView):
    filterset_class = ProgrammeFilter
    model = Programme
    link_model = Event.programmes.through
    link_field = "programme"
    template_name = "cooperation/programme_list.html"
    title = "Programmes"


class ProgrammeExportView(NamedExportView):
    list_view = ProgrammeListView
    columns = exports.PROGRAMME_COLUMNS
    prefix = "programmes"


class EventsOfRecord(DetailView):
    """A record's page with a window of its events, newest first, and a per-year chart."""

    filter_param = ""

    def events(self):
        raise NotImplementedError

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        context = self.get_context_data(object=self.object)
        try:
            context["page"] = event_window(request, self.events().for_listing(), "-date")
        except BadPosition as error:
            context["errors"] = [str(error)]
            return self.render_to_response(context, status=400)
        context["events"] = context["page"].rows
        slug = self.object.slug
        context["chart"] = year_chart(
            "Events per year",
            summaries.events_per_year_of(f"{self.filter_param}:{slug}", self.events()),
            lambda year: (
                f"{reverse('cooperation:event-list')}?{self.filter_param}={slug}&year={year}"
            ),
        )
        context["count"] = count(self.events(), f"{self.filter_param}:{slug}")
        return self.render_to_response(context)


class ProgrammeDetailView(EventsOfRecord):
    template_name = "cooperation/programme_detail.html"
    context_object_name = "programme"
    filter_param = "programme"

    def get_queryset(self):
        return Programme.objects.select_related("parent").prefetch_related(
            "lead_organizations",
            "countries",
            "children",
            Prefetch("citations", queryset=ProgrammeCitation.objects.select_related("source")),
        )

    def events(self):
        return Event.objects.filter(
            pk__in=Event.programmes.through.objects.filter(programme=self.object).values("event_id")
        )


class OrganizationListView(NamedListView):
    filterset_class = OrganizationFilter
    model = Organization
    link_model = EventOrganization
    link_field = "organization"
    template_name = "cooperation/organization_list.html"
    title = "Organizations"

    def queryset(self):
        return Organization.objects.select_related("country")


class OrganizationExportView(NamedExportView):
    list_view = OrganizationListView
    columns = exports.ORGANIZATION_COLUMNS
    prefix = "organizations"


class OrganizationDetailView(EventsOfRecord):
    template_name = "cooperation/organization_detail.html"
    context_object_name = "organization"
    filter_param = "organization"
    SHOWN = 100

    def get_queryset(self):
        return Organization.objects.select_related("country", "parent").prefetch_related(
            "led_programmes",
            Prefetch("citations", queryset=OrganizationCitation.objects.select_related("source")),
        )

    def events(self):
        return Event.objects.filter(
            pk__in=EventOrganization.objects.filter(organization=self.object).values("event_id")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        organization = self.object
        context["children"] = organization.children.order_by("name")[: self.SHOWN]
        ranked = summaries.cached(
            f"representatives:{organization.pk}",
            lambda: list(
                EventPerson.objects.filter(organization=organization)
                .values_list("person")
                .annotate(n=Count("event", distinct=True))
                .order_by("-n", "person")[: self.SHOWN]
            ),
            budget_ms=summaries.budget("summary"),
        )
        context["representatives"] = summaries.with_counts(Person, ranked)
        return context

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        context = response.context_data
        if "page" in context:
            ids = [event.pk for event in context["page"].rows]
            roles = {}
            for link in EventOrganization.objects.filter(
                organization=self.object, event_id__in=ids
            ):
                roles.setdefault(link.event_id, []).append(link.get_role_display())
            for event in context["page"].rows:
                event.roles = roles.get(event.pk, [])
        return response


class PersonListView(NamedListView):
    filterset_class = PersonFilter
    model = Person
    link_model = EventPerson
    link_field = "person"
    template_name = "cooperation/person_list.html"
    title = "People"

    def queryset(self):
        return Person.objects.select_related("country")


class PersonExportView(NamedExportView):
    list_view = PersonListView
    columns = exports.PERSON_COLUMNS
    prefix = "people"


class PersonDetailView(EventsOfRecord):
    template_name = "cooperation/person_detail.html"
    context_object_name = "person"
    filter_param = "person"

    def get_queryset(self):
        return Person.objects.select_related("country").prefetch_related(
            Prefetch("citations", queryset=PersonCitation.objects.select_related("source")),
        )

    def events(self):
        return Event.objects.filter(
            pk__in=EventPerson.objects.filter(person=self.object).values("event_id")
        )

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        context = response.context_data
        if "page" in context:
            ids = [event.pk for event in context["page"].rows]
            links = {}
            for link in EventPerson.objects.filter(
                person=self.object, event_id__in=ids
            ).select_related("organization"):
                links.setdefault(link.event_id, []).append(link)
            for event in context["page"].rows:
                event.person_roles = links.get(event.pk, [])
        return response


# ---- Sources ------------------------------------------------------------------------------


class SourceListView(View):
    def get(self, request):
        return render(request, "cooperation/source_list.html", {"sources": Source.objects.all()})


class SourceDetailView(DetailView):
    template_name = "cooperation/source_detail.html"
    context_object_name = "source"
    model = Source
    SHOWN = 500

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        source = self.object
        context["event_citations"] = (
            EventCitation.objects.filter(source=source)
            .select_related("event")
            .order_by("event__start_date", "pk")[: self.SHOWN]
        )
        context["programme_citations"] = ProgrammeCitation.objects.filter(
            source=source
        ).select_related("programme")[: self.SHOWN]
        context["organization_citations"] = OrganizationCitation.objects.filter(
            source=source
        ).select_related("organization")[: self.SHOWN]
        context["person_citations"] = PersonCitation.objects.filter(source=source).select_related(
            "person"
        )[: self.SHOWN]
        return context
