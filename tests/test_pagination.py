"""Keyset pages and an event's neighbours where many rows share one sort value."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cooperation.filters.events import EVENT_SORTS
from cooperation.models import Event
from cooperation.pagination import window
from cooperation.views.events import neighbours

from .factories import EventFactory

pytestmark = pytest.mark.django_db

DAY = datetime.date(2012, 7, 21)


@pytest.fixture
def ties():
    """Twelve events: most on one day, with one title, and participants tied or missing."""
    events = []
    for n in range(12):
        events.append(
            EventFactory(
                title="Same title" if n % 3 else f"Title {n % 2}",
                start_date=DAY if n % 4 else DAY + datetime.timedelta(days=n - 6),
                participants=None if n % 5 == 0 else 10 * (n % 2),
            )
        )
    return events


def walk(key, backwards=False):
    """Every row of the events in the key's order, two at a time, by the pages' tokens."""
    seen, page = [], window(Event.objects.all(), key, last=backwards, size=2)
    while True:
        seen = page.rows + seen if backwards else seen + page.rows
        more = page.has_previous if backwards else page.has_next
        if not more:
            return [event.pk for event in seen]
        if backwards:
            page = window(Event.objects.all(), key, before=page.previous_token, size=2)
        else:
            page = window(Event.objects.all(), key, after=page.next_token, size=2)


@pytest.mark.parametrize("sort", list(EVENT_SORTS))
def test_pages_hold_every_row_once_in_order_both_ways(ties, sort):
    key = EVENT_SORTS[sort].key
    expected = list(Event.objects.order_by(*key.order_by()).values_list("pk", flat=True))
    assert len(expected) == 12
    assert walk(key) == expected
    assert walk(key, backwards=True) == expected


def test_neighbours_step_through_one_day_by_id(ties):
    in_date_order = list(Event.objects.order_by("start_date", "id"))
    for position, event in enumerate(in_date_order):
        earlier, later = neighbours(event)
        assert earlier == (in_date_order[position - 1] if position else None)
        assert later == (in_date_order[position + 1] if position + 1 < 12 else None)


def test_neighbours_compare_rows_so_an_index_reads_from_the_event_on(ties):
    """`(start_date, id) < (d, pk)`: the form an index on (start_date, id) starts at the event
    itself, where `start_date < d OR (start_date = d AND id < pk)` reads the whole day."""
    event = Event.objects.filter(start_date=DAY).order_by("id")[3]
    with CaptureQueriesContext(connection) as queries:
        neighbours(event)
    table, quoted = "cooperation_event", connection.ops.quote_name
    row = f"({quoted(table)}.{quoted('start_date')}, {quoted(table)}.{quoted('id')})"
    sqls = [query["sql"] for query in queries]
    assert len(sqls) == 2
    assert f"{row} <" in sqls[0] and f"{row} >" in sqls[1]
