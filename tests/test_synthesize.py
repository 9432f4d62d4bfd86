import datetime
import random
from collections import Counter

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Exists, OuterRef

from cooperation import synthesis
from cooperation.models import (
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
from cooperation.synthesis import Plan, SynthesisError, synthesize

from .engines import postgresql_only
from .factories import EventFactory

pytestmark = pytest.mark.django_db

EVENTS = 300
SYNTHETIC = {"slug__startswith": "syn-"}
EVENT_FIELDS = [
    *(
        f.attname
        for f in Event._meta.concrete_fields
        if f.name not in {"id", "parent", "created_at", "updated_at"}
    ),
    "parent__slug",
]


@pytest.fixture
def synthesized():
    return synthesize(EVENTS, seed=7)


def synthetic_events():
    return Event.objects.filter(**SYNTHETIC)


def snapshot():
    """Every synthetic row by natural keys and values: ids and timestamps differ between runs."""
    events = synthetic_events()
    return {
        "events": sorted(events.values_list(*EVENT_FIELDS)),
        "countries": sorted(
            EventCountry.objects.filter(event__in=events).values_list(
                "event__slug", "country__code", "role"
            )
        ),
        "organizations": sorted(
            EventOrganization.objects.filter(event__in=events).values_list(
                "event__slug", "organization__slug", "role"
            )
        ),
        "people": sorted(
            EventPerson.objects.filter(event__in=events).values_list(
                "event__slug", "person__slug", "role", "title", "organization__slug"
            )
        ),
        "programmes": sorted(events.values_list("slug", "programmes__slug")),
        "citations": sorted(
            EventCitation.objects.filter(event__in=events).values_list(
                "event__slug", "source__slug", "locator"
            )
        ),
        "records": sorted(
            [
                *Organization.objects.filter(**SYNTHETIC).values_list(
                    "slug", "name", "acronym", "kind", "country__code", "parent__slug", "aliases"
                ),
                *Person.objects.filter(**SYNTHETIC).values_list(
                    "slug", "name", "native_name", "country__code", "aliases", "description"
                ),
                *Programme.objects.filter(**SYNTHETIC).values_list(
                    "slug", "name", "kind", "start_year", "end_year", "aliases", "description"
                ),
            ],
            key=str,
        ),
    }


def test_creates_the_requested_events_and_scaled_records(synthesized):
    plan = Plan(EVENTS)
    assert synthetic_events().count() == EVENTS
    assert Organization.objects.filter(**SYNTHETIC).count() == plan.organizations == 50
    assert Person.objects.filter(**SYNTHETIC).count() == plan.people == 100
    assert Programme.objects.filter(**SYNTHETIC).count() == plan.programmes == 20
    assert Country.objects.count() == synthesized.countries_loaded == 249
    # The report counts what is in the database.
    for model in [EventCountry, EventPerson, EventCitation, Source, PersonCitation]:
        assert synthesized.created[model._meta.label] == model.objects.count() > 0


def test_supporting_records_scale_with_events_and_are_capped():
    assert (Plan(1_000_000).organizations, Plan(1_000_000).people) == (10_000, 20_000)
    assert Plan(1_000_000).programmes == 500
    assert (Plan(10**8).organizations, Plan(10**8).people, Plan(10**8).programmes) == (
        20_000,
        50_000,
        2_000,
    )


def test_same_seed_gives_the_same_rows_and_another_seed_does_not():
    synthesize(EVENTS, seed=7)
    first = snapshot()
    synthesize(EVENTS, seed=7, clear=True)
    assert snapshot() == first
    synthesize(EVENTS, seed=8, clear=True)
    assert snapshot()["events"] != first["events"]


def test_dates_come_in_all_three_precisions(synthesized):
    events = synthetic_events()
    precisions = Counter(events.values_list("date_precision", flat=True))
    assert set(precisions) == {"day", "month", "year"}
    assert precisions["day"] > precisions["month"] > precisions["year"]
    months = events.filter(date_precision="month").values_list("start_date", flat=True)
    assert all(d.day == 1 for d in months)
    new_years = events.filter(date_precision="year").values_list("start_date", flat=True)
    assert all((d.month, d.day) == (1, 1) for d in new_years)
    with_end = events.exclude(end_date=None)
    assert 0.25 < with_end.count() / EVENTS < 0.55
    assert set(with_end.values_list("end_date_precision", flat=True)) == {"day", "month", "year"}
    for start, end in with_end.values_list("start_date", "end_date"):
        assert end > start
    years = events.values_list("start_date__year", flat=True)
    assert min(years) >= 1980 and max(years) <= 2025 and max(years) - min(years) > 20


def test_every_event_has_a_host_country_and_a_citation(synthesized):
    events = synthetic_events()
    hosted = EventCountry.objects.filter(event=OuterRef("pk"), role="host")
    cited = EventCitation.objects.filter(event=OuterRef("pk"))
    assert not events.filter(~Exists(hosted)).exists()
    assert not events.filter(~Exists(cited)).exists()


def test_types_and_countries_are_skewed(synthesized):
    types = [t for t, _ in Counter(synthetic_events().values_list("type", flat=True)).most_common()]
    assert set(types[:4]) == {"training", "seminar", "meeting", "visit"}
    participants = Counter(
        EventCountry.objects.filter(role="participant").values_list("country__code", flat=True)
    )
    assert participants.most_common(1)[0][0] == "CN"
    assert len(participants) > 30


def test_parts_of_a_visit_lie_within_its_dates(synthesized):
    parts = synthetic_events().exclude(parent=None).select_related("parent")
    assert 0.05 < parts.count() / EVENTS < 0.15
    for part in parts:
        visit = part.parent
        assert visit.type == "visit" and visit.pk < part.pk
        assert visit.start_date <= part.start_date
        assert (part.end_date or part.start_date) <= visit.end_date


def test_people_carry_the_title_they_held_at_the_time(synthesized):
    links = EventPerson.objects.select_related("person")
    assert links.exists()
    assert all(link.title for link in links)
    # The same person is junior in early events and senior later, never the reverse.
    by_person = {}
    for link in links.order_by("event__start_date"):
        by_person.setdefault(link.person_id, []).append(link.title)
    assert any(len(set(titles)) == 2 for titles in by_person.values())


def test_a_sample_of_every_kind_of_record_passes_full_clean(synthesized):
    picker = random.Random(1)
    for model in [
        Event,
        EventCountry,
        EventOrganization,
        EventPerson,
        EventCitation,
        Organization,
        OrganizationCitation,
        Person,
        PersonCitation,
        Programme,
        ProgrammeCitation,
        Source,
    ]:
        pks = list(model.objects.values_list("pk", flat=True))
        for obj in model.objects.filter(pk__in=picker.sample(pks, min(15, len(pks)))):
            obj.full_clean()


def test_clear_removes_only_synthetic_records(sample):
    curated = {model: model.objects.count() for model in [Event, EventCountry, EventPerson]}
    synthesize(200, seed=3)  # with only the three countries the sample made
    assert synthetic_events().count() == 200
    report = synthesize(0, clear=True)
    assert report.deleted["cooperation.Event"] == 200
    for model in [Event, Organization, Person, Programme, Source]:
        assert not model.objects.filter(**SYNTHETIC).exists()
    assert {model: model.objects.count() for model in curated} == curated
    assert Event.objects.get(slug="2012-07-28-conference").parent == sample["trip"]
    assert EventPerson.objects.filter(person=sample["fan"]).count() == 2


def test_refuses_to_run_twice_without_clear(capsys):
    call_command("synthesize", events=50, seed=1)
    assert "cooperation.Event: 50 created" in capsys.readouterr().out
    with pytest.raises(CommandError, match="--clear"):
        call_command("synthesize", events=50, seed=1)
    assert synthetic_events().count() == 50
    call_command("synthesize", events=60, seed=1, clear=True)
    out = capsys.readouterr().out
    assert "cooperation.Event: 50 deleted" in out and "cooperation.Event: 60 created" in out
    assert "Elapsed" in out


def test_dry_run_writes_nothing(capsys):
    call_command("synthesize", events=EVENTS, dry_run=True)
    out = capsys.readouterr().out
    assert f"cooperation.Event: {EVENTS} created" in out and "Dry run" in out
    assert not Event.objects.exists()
    assert not Country.objects.exists()  # loaded for the run, rolled back with it


def test_a_failure_leaves_the_database_as_it_was(monkeypatch):
    def broken(self):
        raise RuntimeError("disk full")
        yield

    monkeypatch.setattr(synthesis._Generator, "_programmes", broken)
    with pytest.raises(RuntimeError):
        synthesize(EVENTS)
    assert not Organization.objects.exists() and not Country.objects.exists()


def test_new_records_after_synthesis_get_fresh_ids(synthesized):
    event = EventFactory(start_date=datetime.date(2020, 1, 1))
    assert event.pk > synthetic_events().order_by("-pk").first().pk


def test_negative_event_count_is_refused():
    with pytest.raises(SynthesisError):
        synthesize(-1)


@pytest.mark.parametrize("model", list(synthesis.PARENT_TRIGGERS), ids=lambda m: m.__name__)
def test_the_database_refuses_parent_cycles_again_after_a_synthesis(synthesized, model):
    """On PostgreSQL the cycle triggers are off while the synthetic rows are written; they are
    on again after it, in the same transaction. (SQLite keeps them on throughout.)"""
    from django.db import IntegrityError, transaction

    from .test_integrity import WITH_PARENTS, chain

    top, bottom = chain(WITH_PARENTS[model], 2)
    with pytest.raises(IntegrityError, match="parent_not_in_cycle"), transaction.atomic():
        model.objects.filter(pk=top.pk).update(parent=bottom)


@postgresql_only("the event counters' triggers exist on PostgreSQL only")
def test_the_event_counters_are_true_after_a_synthesis_and_its_clearing(sample):
    """The counters' triggers are off while the synthetic rows are written and cleared (one
    per row would cost more than the writes); every counter is recomputed after, and the
    triggers are on again for the edits that follow."""
    from cooperation.models import EventCounter

    from .test_counters import assert_counters_true

    synthesize(EVENTS, seed=7)
    assert_counters_true()
    assert EventCounter.objects.filter(key="all").count() == 1  # one row per counter
    synthesize(EVENTS, seed=8, clear=True)
    EventFactory(slug="after", type="training", status=Event.Status.PUBLISHED)
    assert_counters_true()
