"""The events list and event pages."""

from django.shortcuts import render
from django.views.generic import DetailView

from .. import counters, summaries
from ..filters import EVENT_SORTS
from ..lists import EVENTS
from ..models import Event
from ..pagination import BadPosition, encode, window
from .cite import CitableRecord
from .common import ListPage, count, event_window


class EventListView(ListPage):
    """/events/ — the filtered, sorted list with facet counts, a window of rows at a time."""

    catalogue_list = EVENTS
    template_name = "cooperation/event_list.html"

    def respond(self, request, filterset, context):
        result = filterset.qs
        try:
            page = event_window(request, result.for_listing(), filterset.sort().key)
        except BadPosition as error:
            return self.bad(request, context, [str(error)])
        total = count(result, filterset.cache_key(), counters.key_of(filterset), page=page)
        # A result too large to count within the budget, or counted at once by a counter but
        # larger than FACET_ROWS, is too large for the facets: those not cached are computed
        # outside this request rather than timed out in it.
        counted = summaries.cached_many(
            filterset.facet_items(result),
            budget_ms=summaries.budget("facet"),
            defer=not total.exact or total.value > summaries.FACET_ROWS,
        )
        context.update(
            page=page,
            events=page.rows,
            total=total.value,
            count=total,
            facets=filterset.facet_lists(counted),
        )
        return render(request, self.template_name, context)


def neighbours(event):
    """The events just before and after this one in date order (keyset conditions, so each is
    one short index read)."""
    key = EVENT_SORTS["date"].key
    earlier = window(Event.objects.all(), key, before=encode(event.start_date, event.pk), size=1)
    later = window(Event.objects.all(), key, after=encode(event.start_date, event.pk), size=1)
    return (earlier.rows or [None])[0], (later.rows or [None])[0]


class EventDetailView(CitableRecord, DetailView):
    template_name = "cooperation/event_detail.html"
    cite_kind = "event"
    context_object_name = "event"
    CHILDREN_SHOWN = 100

    def get_queryset(self):
        return Event.objects.for_detail()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        event = self.object
        context["earlier"], context["later"] = neighbours(event)
        # Published parts only: a part drafted under a published trip stays in the admin.
        parts = Event.objects.filter(parent=event).order_by("start_date", "id")
        children = list(parts[: self.CHILDREN_SHOWN + 1])
        context["children"] = children[: self.CHILDREN_SHOWN]
        context["more_children"] = len(children) > self.CHILDREN_SHOWN
        return context
