"""The event counters (cooperation/counters.py): PostgreSQL's triggers keep them equal to what
a COUNT gives, whatever editors do, so that an export can state its length at once."""

import datetime
import json
import threading

import pytest
from django.db import connection, connections, transaction
from django.http import QueryDict

from cooperation import counters
from cooperation.lists import EVENTS, YEARS
from cooperation.models import Country, Event, EventCountry

from . import factories as f
from .engines import postgresql_only

pytestmark = pytest.mark.django_db

COUNTED = postgresql_only("the counters' triggers exist on PostgreSQL only")


def filtered(query: str):
    filterset = EVENTS.filter(QueryDict(query))
    assert filterset.is_valid(), filterset.error_messages()
    return filterset


def assert_counters_true():
    """Every counter there is, and one of each kind that should say 0, against a COUNT: the
    countries with links and one without, each year the events span and one either side."""
    queries = ["", *(f"type={value}" for value, _ in Event.Type.choices)]
    codes = set(EventCountry.all_objects.values_list("country__code", flat=True))
    codes |= set(Country.objects.exclude(code__in=codes).values_list("code", flat=True)[:1])
    dates = Event.all_objects.values_list("start_date", "end_date")
    years = range(
        min(start.year for start, _ in dates) - 1,
        max((end or start).year for start, end in dates) + 2,
    )
    queries += [f"country={code}" for code in codes]
    queries += [f"year={year}" for year in years]
    queries += [f"country={code}&year={year}" for code in codes for year in years]
    for query in queries:
        filterset = filtered(query)
        expected = filterset.qs.count()
        assert counters.count(filterset, "default") == expected, query


@COUNTED
def test_the_counters_follow_every_kind_of_edit(sample):
    china, tanzania = Country.objects.get(code="CN"), Country.objects.get(code="TZ")
    assert_counters_true()
    # A new published event, China in two roles: counted once.
    event = f.EventFactory(slug="new", type="training", status=Event.Status.PUBLISHED)
    f.EventCountryFactory(event=event, country=china, role="host")
    f.EventCountryFactory(event=event, country=china, role="participant")
    assert counters.count(filtered("country=cn"), "default") == 5
    assert_counters_true()
    # A draft and its links count nowhere, until it is published.
    draft = f.EventFactory(slug="draft", type="visit", status=Event.Status.DRAFT)
    f.EventCountryFactory(event=draft, country=tanzania, role="host")
    assert_counters_true()
    draft.status = Event.Status.PUBLISHED
    draft.save()
    assert_counters_true()
    event.status = Event.Status.DRAFT
    event.save()
    assert_counters_true()
    event.status = Event.Status.PUBLISHED
    event.type = "forum"
    event.save()
    assert_counters_true()
    # Its dates changed: from one year to three, then to another year, then back to one day.
    event.start_date, event.end_date = datetime.date(2009, 12, 30), datetime.date(2011, 1, 2)
    event.end_date_precision = "day"
    event.save()
    assert counters.count(filtered("country=cn&year=2010"), "default") == len(
        filtered("country=cn&year=2010").qs
    )
    assert_counters_true()
    event.start_date, event.end_date = datetime.date(2015, 1, 1), datetime.date(2015, 3, 1)
    event.save()
    assert_counters_true()
    event.end_date = None
    event.end_date_precision = ""
    event.save()
    assert_counters_true()
    # One of China's two roles gone: still counted; a role changed; a country changed.
    EventCountry.all_objects.filter(event=event, role="participant").delete()
    assert_counters_true()
    link = EventCountry.all_objects.get(event=event)
    link.role = "participant"
    link.save()
    assert_counters_true()
    link.country = tanzania
    link.save()
    assert_counters_true()
    EventCountry.all_objects.filter(event=draft).update(event=event)  # moved to another event
    assert_counters_true()
    # One statement moving both of the conference's links (Tanzania, China) to Mozambique.
    EventCountry.all_objects.filter(event__slug="2012-07-28-conference").update(
        country=Country.objects.get(code="MZ")
    )
    assert counters.count(filtered("country=mz"), "default") == 2  # the trip and it, once
    assert_counters_true()
    # Deleted the way the admin does (its links first), and by a raw delete (event first).
    Event.all_objects.get(slug="draft").delete()
    event.delete()
    assert_counters_true()
    seminar = Event.all_objects.get(slug="2013-seminar").pk
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM cooperation_event WHERE id = %s", [seminar])
        for relation in Event._meta.related_objects:  # its links, citations and parts after it
            table, column = relation.related_model._meta.db_table, relation.field.column
            if relation.many_to_many:
                continue  # through a link model, deleted as one
            cursor.execute(f"DELETE FROM {table} WHERE {column} = %s", [seminar])
    assert_counters_true()
    counters.compact()
    assert_counters_true()


@COUNTED
def test_compacting_leaves_one_row_per_counter(sample):
    from cooperation.models import EventCounter

    for n in range(3):
        f.EventFactory(slug=f"more-{n}", type="training", status=Event.Status.PUBLISHED)
    assert EventCounter.objects.filter(key="all").count() > 1
    counters.compact()
    assert EventCounter.objects.filter(key="all").count() == 1
    assert_counters_true()


def test_only_the_simplest_filters_have_a_counter(sample):
    china = Country.objects.get(code="CN")
    assert counters.key_of(filtered("")) == "all"
    assert counters.key_of(filtered("sort=title")) == "all"
    assert counters.key_of(filtered("type=training")) == "type:training"
    assert counters.key_of(filtered("country=CN")) == f"country:{china.pk}"
    assert counters.key_of(filtered("year=2012")) == "year:2012"
    assert counters.key_of(filtered("year=2012&country=cn")) == f"country:{china.pk}:year:2012"
    for query in [
        "country=cn&country=tz",
        "country=cn&country_role=host",  # a qualifier changes the result
        "type=training&type=forum",
        "country=cn&type=training",
        "year=2012&year=2013",
        "year=2012&type=training",
        "year=2012&and_year=2013",
        "country=cn&year=2012&country_role=host",
        "q=water",
    ]:
        assert counters.key_of(filtered(query)) is None, query
    assert counters.key_of(YEARS.filter(QueryDict(""))) is None  # not the events'
    if connection.vendor != "postgresql":  # no triggers keep them: never read
        assert counters.count(filtered(""), "default") is None


@COUNTED
@pytest.mark.django_db(transaction=True)
def test_two_editors_adding_one_country_in_two_roles_count_it_once(sample):
    """The second transaction waits on the event's row until the first commits, then sees the
    first one's link: neither counts the country twice."""
    event = f.EventFactory(slug="both", type="visit", status=Event.Status.PUBLISHED)
    mozambique = Country.objects.get(code="MZ")
    first_wrote, errors = threading.Event(), []

    def editor(role, before_commit):
        try:
            with transaction.atomic():
                EventCountry.all_objects.create(event=event, country=mozambique, role=role)
                before_commit()
        except Exception as error:  # reported below, not lost in the thread
            errors.append(error)
        finally:
            connections.close_all()

    first = threading.Thread(
        target=editor, args=("host", lambda: (first_wrote.set(), threading.Event().wait(1)))
    )
    first.start()
    first_wrote.wait(10)
    second = threading.Thread(target=editor, args=("participant", lambda: None))
    second.start()
    first.join(20)
    second.join(20)
    assert not errors
    assert EventCountry.all_objects.filter(event=event, country=mozambique).count() == 2
    assert counters.count(filtered("country=mz"), "default") == 2  # the trip and this one
    assert_counters_true()


@COUNTED
@pytest.mark.parametrize("export", ["csv", "json"])
def test_exports_take_their_number_from_the_counter(client, sample, export):
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/events/export.{export}", {"country": "cn"})
        body = b"".join(response.streaming_content)
    rows = len(json.loads(body)) if export == "json" else body.count(b"\n") - 1
    assert int(response["X-Record-Count"]) == rows == 4
    sql = " ".join(query["sql"] for query in queries.captured_queries)
    assert "cooperation_eventcounter" in sql
    assert "COUNT(*)" not in sql


@COUNTED
@pytest.mark.parametrize(
    "url, query",
    [
        ("/events/", "country=cn&year=2012"),
        ("/events/", "year=2012"),
        ("/events/", "type=training"),
        ("/api/events/", "country=cn&year=2012"),
        ("/years/2012/", ""),
        ("/api/years/2012/", ""),
    ],
)
def test_lists_and_year_pages_take_their_count_from_the_counter(client, sample, url, query):
    """No COUNT, and the number a COUNT would give."""
    from django.test.utils import CaptureQueriesContext

    expected = filtered(query or "year=2012").qs.count()
    assert expected
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"{url}?{query}")
    assert response.status_code == 200
    sql = [query["sql"] for query in queries.captured_queries]
    assert any("cooperation_eventcounter" in statement for statement in sql)
    counts = [s for s in sql if "COUNT(*)" in s and 'FROM "cooperation_event"' in s]
    assert not counts
    if url.startswith("/api/"):
        body = response.json()
        assert body.get("count", body.get("events")) == expected
    else:
        assert response.context["count"].value == expected
        assert response.context["count"].exact


@COUNTED
def test_the_home_page_s_numbers_from_the_counters_are_the_links(sample, monkeypatch):
    """The home page's events, countries, events per year and busiest countries come from the
    counters on PostgreSQL, and are what counting the links gives: drafts left out, an event
    counted in every year it spans, ties between countries in name order."""
    from django.test.utils import CaptureQueriesContext

    from cooperation import summaries

    china, tanzania = Country.objects.get(code="CN"), Country.objects.get(code="TZ")
    other = Country.objects.exclude(code__in=["CN", "TZ"]).order_by("code").first()
    trip = f.EventFactory(
        start_date=datetime.date(2010, 12, 30),
        end_date=datetime.date(2012, 1, 2),
        end_date_precision="day",
    )
    f.EventCountryFactory(event=trip, country=other, role="host")
    f.EventCountryFactory(event=trip, country=china, role="participant")
    draft = f.EventFactory(status=Event.Status.DRAFT, start_date=datetime.date(2001, 1, 1))
    f.EventCountryFactory(event=draft, country=tanzania, role="host")
    items = summaries.home_items()
    names = ["counts", "per_year", "top_countries"]
    with CaptureQueriesContext(connection) as queries:
        counted = {name: items[name][1]() for name in names}
    assert not any("cooperation_eventcountry" in query["sql"] for query in queries)
    monkeypatch.setattr(counters, "totals", lambda kind, using: None)
    items = summaries.home_items()  # afresh: one call's items read the counters once
    linked = {name: items[name][1]() for name in names}
    assert counted == linked
    assert (2001, 1) not in counted["per_year"]
    assert {2010, 2011, 2012} <= {year for year, _ in counted["per_year"]}
    assert len(counted["top_countries"]) > 2
