from collections import OrderedDict

from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.views import View
from django.views.generic import TemplateView

from .. import summaries
from ..filters import EVENT_SORTS
from ..models import Event
from ..pagination import BadPosition
from .common import count, event_window, year_chart


class YearListView(TemplateView):
    template_name = "cooperation/year_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        counts = summaries.events_per_year_of("all", Event.objects.all()) or []
        context["years"] = list(reversed(counts))
        context["chart"] = year_chart(
            "Events per year", counts, lambda year: reverse("cooperation:year-detail", args=[year])
        )
        return context


class YearDetailView(View):
    """/years/2012/ — the year's events, month by month, a window at a time."""

    template_name = "cooperation/year_detail.html"
    PAGE_SIZE = 100

    def get(self, request, year):
        if not 1000 <= year <= 9999:
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
            count=count(events, f"year:{year}"),
            months=[(month.strftime("%B"), items) for month, items in months.items()],
            earlier=earlier,
            undated=undated,
            previous_year=max((y for y in years if y < year), default=None),
            next_year=min((y for y in years if y > year), default=None),
        )
        context["total"] = context["count"].value
        return render(request, self.template_name, context)
