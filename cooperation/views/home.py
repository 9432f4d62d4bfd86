from django.urls import reverse
from django.views.generic import TemplateView

from .. import summaries
from ..models import Country, Event, Organization, Programme
from .common import year_chart


class HomeView(TemplateView):
    template_name = "cooperation/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        summary = summaries.home()
        context.update(
            counts=summary["counts"],
            chart=year_chart(
                "Events per year",
                summary["per_year"],
                lambda year: f"{reverse('cooperation:event-list')}?year={year}",
            ),
            top_countries=summaries.with_counts(Country, summary["top_countries"]),
            top_programmes=summaries.with_counts(Programme, summary["top_programmes"]),
            top_organizations=summaries.with_counts(Organization, summary["top_organizations"]),
            latest_events=Event.objects.for_listing().order_by("-start_date", "-id")[:8],
            summary_incomplete=any(value is None for value in summary.values()),
            summary_stale=bool(summary.stale),
        )
        return context
