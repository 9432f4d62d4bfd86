from collections import OrderedDict

from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.views import View

from .. import summaries
from ..filters import EVENT_SORTS, YEAR_FACET
from ..lists import YEARS, years_item
from ..models import FIRST_YEAR, LAST_YEAR, Event
from ..pagination import BadPosition
from .common import ListPage, count, event_window, year_chart


class YearListView(ListPage):
    """/years/ — how the events the filters choose spread over the years, with a chart."""

    catalogue_list = YEARS
    template_name = "cooperation/year_list.html"

    def respond(self, request, filterset, context):
        found = summaries.cached_many(
            {"rows": years_item(filterset)}, budget_ms=summaries.budget("summary")
        )
        rows = found["rows"]
        plain = not filterset.query()

        def url_for(year):
            if plain:  # every event: the year's own page
                return reverse("cooperation:year-detail", args=[year])
            query, _ = filterset.facet_link(YEAR_FACET, str(year))
            return f"{reverse('cooperation:event-list')}?{query}"

        context.update(
            title="Years" if plain else context["title"],
            records=rows or [],
            incomplete=rows is None,
            stale=bool(found.stale),
            chart=year_chart(
                "Events per year", [(row["year"], row["events"]) for row in rows or []], url_for
            ),
        )
        return render(request, self.template_name, context)


class YearDetailView(View):
    """/years/2012/ — the year's events, month by month, a window at a time."""

    template_name = "cooperation/year_detail.html"
    PAGE_SIZE = 100

    def get(self, request, year):
        if not FIRST_YEAR <= year <= LAST_YEAR:
            raise Http404("No such year")
        events = Event.objects.in_year(year)
        context = {"year": year}
        try:
            page = event_window(
                request, events.for_listing(), EVENT_SORTS["date"].key, size=self.PAGE_SIZE
            )
        except BadPosition as error:
            context["errors"] = [str(error)]
            return render(request, self.template_name, context, status=400)
        months = OrderedDict()
        earlier, undated = [], []
        for event in page.rows:
            if event.start_date.year < year:
                earlier.append(event)
            elif event.date_precision == "year":
                undated.append(event)
            else:
                months.setdefault(event.start_date.replace(day=1), []).append(event)
        per_year = summaries.events_per_year_of("all", Event.objects.all()) or []
        years = [y for y, _ in per_year]
        context.update(
            page=page,
            count=count(events, f"year:{year}", counter=f"year:{year}", page=page),
            months=[(month.strftime("%B"), items) for month, items in months.items()],
            earlier=earlier,
            undated=undated,
            previous_year=max((y for y in years if y < year), default=None),
            next_year=min((y for y in years if y > year), default=None),
        )
        context["total"] = context["count"].value
        return render(request, self.template_name, context)
