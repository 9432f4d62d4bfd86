"""The summary caches: an edit shows at once on every page (versioned values, the refresh
after an edit), and a flood of rare queries cannot evict the broad pages' summaries."""

import io
import threading

import pytest
from django.core.cache import caches
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from cooperation import broad_summaries, summaries, versions
from cooperation.models import Event

from .engines import postgresql_only

pytestmark = pytest.mark.django_db


def admin_url(record, view):
    return reverse(f"admin:cooperation_{record._meta.model_name}_{view}", args=[record.pk])


def as_submitted(response) -> dict:
    """What an admin change form submits when its editor changes nothing: the record's fields
    and every inline's, as the page shows them."""
    data = {}

    def add(form):
        for name in form.fields:
            value, key = form[name].value(), form.add_prefix(name)
            if isinstance(value, bool):
                if value:
                    data[key] = "on"
            elif isinstance(value, list | tuple):
                data[key] = [str(item) for item in value]
            else:
                data[key] = "" if value is None else str(value)

    add(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        add(inline.formset.management_form)
        for form in inline.formset.forms:
            add(form)
    return data


def edit(admin_client, record, **changes):
    """Change fields of a record through its admin form. The tests that edit commit their
    transactions (transaction=True): the catalogue's version is raised on commit, and with
    the `db` fixture the factories' own pending raise would stand in for the edit's."""
    url = admin_url(record, "change")
    data = as_submitted(admin_client.get(url)) | changes
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]


def chart(response) -> dict:
    return {int(bar.label): bar.value for bar in response.context["chart"].bars if bar.value}


def year_facet(response) -> dict:
    facet = next(f for f in response.context["facets"] if f["param"] == "year")
    return {int(item["value"]): item["n"] for item in facet["values"]}


def read_everything(client):
    """Every page the test looks at, so that their summaries are cached."""
    call_command("warm_summaries", stdout=io.StringIO())
    return {
        "home": client.get("/"),
        "country": client.get("/countries/tz/"),
        "year": client.get("/years/2012/"),
        "events": client.get("/events/", {"country": "tz"}),
        "years": client.get("/years/"),
    }


@pytest.mark.django_db(transaction=True)
def test_a_date_corrected_in_the_admin_shows_at_once_on_every_page(client, admin_client, sample):
    before = read_everything(client)
    assert chart(before["home"]) == {2012: 3, 2013: 1}
    assert chart(before["country"]) == {2012: 3}
    assert before["country"].context["hosted_years"] == [(2012, 2)]
    assert before["year"].context["total"] == 3
    assert year_facet(before["events"]) == {2012: 3}

    edit(admin_client, sample["conference"], start_date="2014-05-06")

    home = client.get("/")
    assert chart(home) == {2012: 2, 2013: 1, 2014: 1}
    assert "before the latest edit" not in home.content.decode()
    country = client.get("/countries/tz/")
    assert chart(country) == {2012: 2, 2014: 1}
    assert country.context["hosted_years"] == [(2014, 1), (2012, 1)]
    year = client.get("/years/2012/")
    assert year.context["total"] == 2
    assert year.context["next_year"] == 2013
    assert year_facet(client.get("/events/", {"country": "tz"})) == {2014: 1, 2012: 2}
    years = client.get("/years/").context["records"]
    assert [(row["year"], row["events"]) for row in years] == [(2014, 1), (2013, 1), (2012, 2)]


@pytest.mark.django_db(transaction=True)
def test_a_record_deleted_in_the_admin_is_gone_from_every_count_at_once(
    client, admin_client, sample
):
    before = read_everything(client)
    assert before["home"].context["counts"]["events"] == 4
    assert dict(before["country"].context["roles"]) == {"Host": 2, "Participant": 1}

    response = admin_client.post(admin_url(sample["training"], "delete"), {"post": "yes"})
    assert response.status_code == 302

    assert client.get("/").context["counts"]["events"] == 3
    country = client.get("/countries/tz/")
    assert dict(country.context["roles"]) == {"Host": 2}
    assert chart(country) == {2012: 2}
    assert client.get("/years/2012/").context["total"] == 2
    assert year_facet(client.get("/events/", {"country": "tz"})) == {2012: 2}
    facet = client.get("/events/").context["facets"]
    assert "training" not in [item["value"] for item in facet[0]["values"]]


def slow(entry_key):
    """Make a cached summary look expensive: it took 10 s to compute."""
    entry = summaries.read([entry_key])[entry_key]
    summaries.write({entry_key: entry._replace(cost_ms=10_000)})


@pytest.mark.django_db(transaction=True)
def test_the_refresh_after_an_edit_recomputes_what_pages_could_not(admin_client, sample):
    call_command("warm_summaries", stdout=io.StringIO())
    slow("per-year:all")
    before = summaries.read(["per-year:all", "home:counts"])

    edit(admin_client, sample["conference"], start_date="2014-05-06")

    version = versions.current().number
    after = summaries.read(["per-year:all", "home:counts"])
    assert before["per-year:all"].version < version == after["per-year:all"].version
    assert (2014, 1) in after["per-year:all"].value
    # Quick to compute: left to the next page that shows it.
    assert after["home:counts"] == before["home:counts"]


@postgresql_only("pages recompute within time budgets only on PostgreSQL")
def test_a_page_shows_a_summary_too_slow_to_recompute_from_before_the_edit_with_a_note(
    client, sample, settings
):
    settings.CATALOGUE_REFRESH_AFTER_EDIT = "off"
    call_command("warm_summaries", stdout=io.StringIO())
    for key in ["per-year:all", "years:years:", "facet:year:events:"]:
        slow(key)
    Event.objects.filter(pk=sample["conference"].pk).update(start_date="2014-05-06")
    versions.bump()

    home = client.get("/")
    assert chart(home) == {2012: 3, 2013: 1}, "not recomputed: it would not fit the budget"
    assert "Some totals are from before the latest edit" in home.content.decode()
    years = client.get("/years/")
    assert [row["year"] for row in years.context["records"]] == [2013, 2012]
    assert "These counts are from before the latest edit" in years.content.decode()
    events = client.get("/events/")
    assert year_facet(events) == {2013: 1, 2012: 3}
    assert "From before the latest edit" in events.content.decode()

    broad_summaries.refresh()
    for url in ["/", "/years/", "/events/"]:
        assert "before the latest edit" not in client.get(url).content.decode().lower()
    assert chart(client.get("/")) == {2012: 2, 2013: 1, 2014: 1}
    assert year_facet(client.get("/events/")) == {2014: 1, 2013: 1, 2012: 2}


def test_one_refresh_runs_at_a_time_and_sees_edits_made_during_it(sample, monkeypatch):
    runs = []

    def run(version):
        runs.append(version)
        if len(runs) == 1:
            versions.bump()  # an edit whose own refresh found the lock taken
        return 0

    monkeypatch.setattr(broad_summaries, "_refresh_out_of_date", run)
    caches["default"].add(broad_summaries.LOCK, "another server", 60)
    broad_summaries.refresh()
    assert runs == []
    caches["default"].delete(broad_summaries.LOCK)
    broad_summaries.refresh()
    assert runs == [runs[0], runs[0] + 1]
    assert caches["default"].get(broad_summaries.LOCK) is None


@pytest.mark.django_db(transaction=True)
def test_the_background_refresh_after_a_committed_edit(settings):
    from .factories import EventFactory

    event = EventFactory(start_date="2012-07-28")
    call_command("warm_summaries", stdout=io.StringIO())
    slow("per-year:all")

    settings.CATALOGUE_REFRESH_AFTER_EDIT = "background"
    Event.objects.filter(pk=event.pk).update(start_date="2014-05-06")
    event.save(update_fields=["title"])  # through the signals, committed
    for thread in threading.enumerate():
        if thread.name == broad_summaries.THREAD:
            thread.join(timeout=30)

    entry = summaries.read(["per-year:all"])["per-year:all"]
    assert entry.version == versions.current().number
    assert entry.value == [(2014, 1)]


def test_a_cached_value_that_is_not_an_entry_counts_as_missing(sample):
    caches["default"].set(summaries.cache_key("per-year:all"), [(1999, 1)])
    assert summaries.cached("per-year:all", lambda: [(2012, 3)], budget_ms=300) == [(2012, 3)]


# ---- A cache no one can flush -------------------------------------------------------------


def cache_keys(table) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT cache_key FROM {connection.ops.quote_name(table)}")
        return {key for (key,) in cursor.fetchall()}


def test_a_flood_of_distinct_searches_evicts_no_warmed_summary(client, sample, settings):
    settings.CACHES = {
        alias: {**config, "OPTIONS": {"MAX_ENTRIES": 60}}
        for alias, config in settings.CACHES.items()
    }
    call_command("warm_summaries", stdout=io.StringIO())
    warmed = cache_keys("cooperation_cache")
    assert len(warmed) > 20

    for n in range(150):  # 750 rare summaries written, a dozen times the bound
        assert client.get("/events/", {"q": f"word{n}"}).status_code == 200

    assert warmed <= cache_keys("cooperation_cache")
    assert len(cache_keys("cooperation_cache_rare")) <= 61  # bounded: Django culled it
    with django_queries() as home:
        client.get("/")
    assert not any("cooperation_cache_rare" in sql or "INSERT" in sql for sql in home)


def django_queries():
    from django.test.utils import CaptureQueriesContext

    class Queries(CaptureQueriesContext):
        def __iter__(self):
            return (query["sql"] for query in self.captured_queries)

    return Queries(connection)


def test_only_the_broad_pages_summaries_go_to_the_default_cache(client, sample):
    for url in ["/", "/countries/tz/", "/events/", "/years/", "/organizations/?sort=-events"]:
        client.get(url)
    broad = len(cache_keys("cooperation_cache"))
    for url in ["/events/?q=visit", "/events/?country=tz", "/years/2012/", "/people/fan-xiaojian/",
                "/organizations/lgop/", "/years/?type=visit", "/api/events/?q=visit"]:  # fmt: skip
        client.get(url)
    assert len(cache_keys("cooperation_cache")) == broad
    assert broad_summaries.is_broad("country:TZ:per-year")
    assert not broad_summaries.is_broad("facet:year:events:q=visit")
