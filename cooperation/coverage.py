"""What the catalogue covers, computed from the data: events per source document, the years
they span, events without a citation, events by kind. For the coverage page.

Each figure is a summary (summaries.py): cached, computed within the page's budget, None when
it did not finish in time (the page then says "counting…"). The per-source figures are one
GROUP BY over the event citations, so the page's queries do not grow with the sources. At a
million events they take longer than a page may spend, so they are broad summaries
(broad_summaries.py): warm_summaries computes them, and the refresh after an edit.
"""

from django.db.models import Count, Exists, Max, Min, OuterRef
from django.db.models.functions import Coalesce

from . import summaries
from .models import Event, EventCitation, Source


def per_source() -> list[tuple[int, int, int, int]]:
    """(source id, events citing it, first year, last year), most events first. An event
    citing a source in two places counts once for it."""
    rows = (
        EventCitation.objects.values_list("source")
        .annotate(
            n=Count("event", distinct=True),
            first=Min("event__start_date"),
            last=Max(Coalesce("event__end_date", "event__start_date")),
        )
        .order_by("-n", "source")
        .values_list("source", "n", "first", "last")
    )
    return [(source, n, first.year, last.year) for source, n, first, last in rows]


def totals() -> dict:
    cited = EventCitation.objects.filter(event=OuterRef("pk"))
    return {
        "events": Event.objects.count(),
        "uncited": Event.objects.filter(~Exists(cited)).count(),
    }


def items() -> dict:
    return {
        "totals": ("coverage:totals", totals),
        "sources": ("coverage:sources", per_source),
        "types": ("coverage:types", lambda: summaries.type_counts(Event.objects.all())),
    }


class SourceShare:
    """One source's line: how many of the catalogue's events cite it, their share, their years."""

    def __init__(self, source, events, first, last, total):
        self.source, self.events, self.first, self.last = source, events, first, last
        self.total = total  # None while the total is still being counted
        self.percent = round(100 * events / total) if total else None

    @property
    def years(self) -> str:
        return str(self.first) if self.first == self.last else f"{self.first}–{self.last}"


def coverage() -> dict:
    """The page's figures; a figure that could not be computed in time is None."""
    # The events per year are the home page's summary, one cached value for both pages.
    wanted = {**items(), "per_year": summaries.home_items()["per_year"]}
    values = summaries.cached_many(wanted, budget_ms=summaries.budget("summary"))
    totals_, rows = values["totals"], values["sources"]
    shares = None
    if rows is not None:
        total = totals_["events"] if totals_ else None
        sources = Source.objects.defer("text").in_bulk([source for source, *_ in rows])
        shares = [
            SourceShare(sources[pk], n, first, last, total)
            for pk, n, first, last in rows
            if pk in sources
        ]
    per_year = values["per_year"]
    return {
        "totals": totals_,
        "sources": shares,
        "types": values["types"],
        "first_year": per_year[0][0] if per_year else None,
        "last_year": per_year[-1][0] if per_year else None,
        "per_year": per_year,
        "stale": bool(values.stale),
    }
