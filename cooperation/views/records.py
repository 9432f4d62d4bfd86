"""Lists and pages of countries, programmes, organizations, people and sources."""

from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db.models import Count, Prefetch
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views import View
from django.views.generic import DetailView

from .. import summaries
from ..citations_export import citation_context
from ..filters import EVENT_SORTS
from ..lists import (
    COUNTRIES,
    EVENTS,
    ORGANIZATIONS,
    PEOPLE,
    PROGRAMMES,
    SOURCES,
    ranking_item,
    with_event_counts,
)
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
from .cite import CitableRecord
from .common import ListPage, count, event_window, without_blanks, year_chart

LIST_PAGE_SIZE = 50
NEWEST_FIRST = EVENT_SORTS["-date"].key


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


class NamedListView(ListPage):
    """A searchable list of records with their event counts; CSV and JSON beside it.

    Counts for the rows shown are exact. Sorting by count ranks every matching record, which
    on a large catalogue runs within a time budget and is cached; if it cannot finish, the list
    is sorted by its first sort (name), and says so.
    """

    template_name = "cooperation/record_list.html"

    def respond(self, request, filterset, context):
        catalogue_list = self.catalogue_list
        notice, ranked = "", None
        items = filterset.qs
        if filterset.sort().count is not None:
            key, compute = ranking_item(filterset)
            items = ranked = summaries.cached(key, compute, budget_ms=summaries.budget("summary"))
            if ranked is None:
                notice = "Sorting by number of events takes too long for this list just now; "
                notice += "it is sorted by name instead."
                unranked = request.GET.copy()
                unranked.pop("sort", None)
                items = catalogue_list.filter(unranked).qs
        try:
            page = number_page(request, items)
        except BadPosition as error:
            return self.bad(request, context, [str(error)])
        if ranked is not None:
            records = summaries.with_counts(catalogue_list.queryset(), page.object_list)
        else:
            records = page.object_list
        records = with_event_counts(catalogue_list, records)
        context.update(
            page_obj=page,
            records=records,
            total=page.paginator.count,
            notice=notice,
        )
        return render(request, self.template_name, context)


# ---- Countries ----------------------------------------------------------------------------


class CountryListView(NamedListView):
    catalogue_list = COUNTRIES
    template_name = "cooperation/country_list.html"


class CountryDetailView(View):
    """/countries/tz/ — the country's events (filterable like /events/), by year."""

    template_name = "cooperation/country_detail.html"
    validates_query = True

    def get(self, request, code):
        country = get_object_or_404(Country, code=code)  # upper case (urls.CountryCode)
        if redirect := without_blanks(request):
            return redirect
        data = request.GET.copy()
        data.setlist("country", [country.code])
        filterset = EVENTS.filter(data)
        context = {
            "country": country,
            "citation": citation_context(request, "country", country),
            "filter": filterset,
            "country_fields": [filterset.form[name] for name in ("q", "country_role", "year")],
        }
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
            summary_stale=bool(summary.stale),
        )
        if not filterset.is_valid():
            context["errors"] = filterset.error_messages()
            return render(request, self.template_name, context, status=400)
        result = filterset.qs
        try:
            page = event_window(request, result.for_listing(), filterset.sort().key)
        except BadPosition as error:
            context["errors"] = [str(error)]
            return render(request, self.template_name, context, status=400)
        total = count(result, filterset.cache_key())
        context.update(
            page=page,
            events=page.rows,
            total=total.value,
            count=total,
            chips=[chip for chip in filterset.chips() if chip["param"] != "country"],
            export_query=filterset.query().urlencode(),
        )
        return render(request, self.template_name, context)


# ---- Programmes, organizations, people -----------------------------------------------------


class ProgrammeListView(NamedListView):
    catalogue_list = PROGRAMMES
    template_name = "cooperation/programme_list.html"


class EventsOfRecord(CitableRecord, DetailView):
    """A record's page with a window of its events, newest first, and a per-year chart."""

    filter_param = ""

    def events(self):
        raise NotImplementedError

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        context = self.get_context_data(object=self.object)
        try:
            context["page"] = event_window(request, self.events().for_listing(), NEWEST_FIRST)
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
        context["count"] = count(self.events(), f"{self.filter_param}:{slug}", page=context["page"])
        return self.render_to_response(context)


class ProgrammeDetailView(EventsOfRecord):
    template_name = "cooperation/programme_detail.html"
    cite_kind = "programme"
    context_object_name = "programme"
    filter_param = "programme"

    def get_queryset(self):
        return Programme.objects.select_related("parent").prefetch_related(
            "lead_organizations",
            "countries",
            "children",
            Prefetch("citations", queryset=ProgrammeCitation.objects.with_sources()),
        )

    def events(self):
        return Event.objects.filter(
            pk__in=Event.programmes.through.objects.filter(programme=self.object).values("event_id")
        )


class OrganizationListView(NamedListView):
    catalogue_list = ORGANIZATIONS
    template_name = "cooperation/organization_list.html"


class OrganizationDetailView(EventsOfRecord):
    template_name = "cooperation/organization_detail.html"
    cite_kind = "organization"
    context_object_name = "organization"
    filter_param = "organization"
    SHOWN = 100

    def get_queryset(self):
        return Organization.objects.select_related("country", "parent").prefetch_related(
            "led_programmes",
            Prefetch("citations", queryset=OrganizationCitation.objects.with_sources()),
        )

    def events(self):
        return Event.objects.filter(
            pk__in=EventOrganization.all_objects.filter(organization=self.object).values("event_id")
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
            for link in EventOrganization.all_objects.filter(  # of the page's published events
                organization=self.object, event_id__in=ids
            ):
                roles.setdefault(link.event_id, []).append(link.get_role_display())
            for event in context["page"].rows:
                event.roles = roles.get(event.pk, [])
        return response


class PersonListView(NamedListView):
    catalogue_list = PEOPLE
    template_name = "cooperation/person_list.html"


class PersonDetailView(EventsOfRecord):
    template_name = "cooperation/person_detail.html"
    cite_kind = "person"
    context_object_name = "person"
    filter_param = "person"

    def get_queryset(self):
        return Person.objects.select_related("country").prefetch_related(
            Prefetch("citations", queryset=PersonCitation.objects.with_sources()),
        )

    def events(self):
        return Event.objects.filter(
            pk__in=EventPerson.all_objects.filter(person=self.object).values("event_id")
        )

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        context = response.context_data
        if "page" in context:
            ids = [event.pk for event in context["page"].rows]
            links = {}
            for link in EventPerson.all_objects.filter(  # of the page's published events
                person=self.object, event_id__in=ids
            ).select_related("organization"):
                links.setdefault(link.event_id, []).append(link)
            for event in context["page"].rows:
                event.person_roles = links.get(event.pk, [])
        return response


# ---- Sources ------------------------------------------------------------------------------


class SourceListView(NamedListView):
    catalogue_list = SOURCES
    template_name = "cooperation/source_list.html"


class SourceDetailView(CitableRecord, DetailView):
    template_name = "cooperation/source_detail.html"
    cite_kind = "source"
    context_object_name = "source"
    model = Source
    SHOWN = 500

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        source = self.object
        citations = {
            "event_citations": EventCitation.objects.filter(source=source)
            .select_related("event")
            .order_by("event__start_date", "pk"),
            "programme_citations": ProgrammeCitation.objects.filter(source=source)
            .select_related("programme")
            .order_by("programme__name", "pk"),
            "organization_citations": OrganizationCitation.objects.filter(source=source)
            .select_related("organization")
            .order_by("organization__name", "pk"),
            "person_citations": PersonCitation.objects.filter(source=source)
            .select_related("person")
            .order_by("person__name", "pk"),
        }
        for name, queryset in citations.items():
            context[name] = list(queryset[: self.SHOWN])
            for citation in context[name]:
                citation.source = source  # for its link, without a query (or the text) each
        context["paragraphs"] = paragraphs_with_citations(
            source, [c for name in citations for c in context[name]]
        )
        return context


def paragraphs_with_citations(source, citations):
    """The source's paragraphs, each with the citations that name it (a range names each of
    its paragraphs), in the order given."""
    citing = {}
    for citation in citations:
        for number in citation.paragraphs or ():
            citing.setdefault(number, []).append(citation)
    return [
        {"number": number, "text": text, "citations": citing.get(number, [])}
        for number, text in source.paragraphs()
    ]
