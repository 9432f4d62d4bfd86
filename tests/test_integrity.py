"""The database refuses what the pages cannot show: dates and years outside the supported
range, a record that is its own parent, and longer cycles of parents. Each rule is checked
twice: a write that skips validation is refused by the database (IntegrityError), and the
admin's form shows the reason next to the field without saving anything."""

import datetime
import threading
import time
from html.parser import HTMLParser

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.models import Case, F, When
from django.urls import reverse

from cooperation.models import FIRST_YEAR, LAST_YEAR, Event, Organization, Programme, Source

from .factories import (
    CitedEventFactory,
    EventFactory,
    OrganizationFactory,
    ProgrammeFactory,
    SourceFactory,
)

WITH_PARENTS = {
    Event: EventFactory,
    Organization: OrganizationFactory,
    Programme: ProgrammeFactory,
}
by_name = {"ids": lambda model: model._meta.model_name}
YEARS_MESSAGE = f"The catalogue covers the years {FIRST_YEAR} to {LAST_YEAR}."


def refused(write, rule):
    """The write is refused by the database, and the error names the rule that refused it."""
    with pytest.raises(IntegrityError, match=rule), transaction.atomic():
        write()


def chain(factory, length):
    """`length` records, each part of the one before: [top, ..., bottom]."""
    records = [factory()]
    for _ in range(length - 1):
        records.append(factory(parent=records[-1]))
    return records


# ---- The database ---------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("day", [datetime.date(1, 1, 1), datetime.date(999, 12, 31)])
def test_database_refuses_an_event_before_the_supported_years(day):
    event = EventFactory()
    refused(
        lambda: Event.objects.filter(pk=event.pk).update(start_date=day),
        "event_start_date_in_supported_years",
    )


@pytest.mark.django_db
def test_database_accepts_the_first_and_last_supported_days():
    event = EventFactory(start_date=datetime.date(FIRST_YEAR, 1, 1))
    event.end_date, event.end_date_precision = datetime.date(LAST_YEAR, 12, 31), "day"
    event.save()


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="Python's dates end in 9999")
@pytest.mark.parametrize(
    ("column", "change"),
    [
        ("start_date", "start_date = '10000-01-01'"),
        ("end_date", "end_date = '10000-01-01', end_date_precision = 'day'"),
    ],
)
def test_database_refuses_an_event_after_the_supported_years(column, change):
    event = EventFactory()
    sql = f"UPDATE cooperation_event SET {change} "
    with (
        pytest.raises(IntegrityError, match=f"event_{column}_in_supported_years"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql + "WHERE id = %s", [event.pk])


@pytest.mark.django_db
def test_database_refuses_a_source_dated_before_the_supported_years():
    source = SourceFactory(published_on=datetime.date(2012, 7, 1))
    refused(
        lambda: Source.objects.filter(pk=source.pk).update(published_on=datetime.date(1, 1, 1)),
        "source_published_on_in_supported_years",
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "year"),
    [("start_year", 5), ("end_year", 5), ("start_year", 999), ("end_year", 10000)],
)
def test_database_refuses_programme_years_outside_the_supported_years(field, year):
    programme = ProgrammeFactory()
    refused(
        lambda: Programme.objects.filter(pk=programme.pk).update(**{field: year}),
        f"programme_{field}_in_supported_years",
    )


@pytest.mark.django_db
@pytest.mark.parametrize("model", WITH_PARENTS, **by_name)
def test_database_refuses_a_record_that_is_its_own_parent(model):
    record, rule = WITH_PARENTS[model](), f"{model._meta.model_name}_not_own_parent"
    refused(lambda: model.objects.filter(pk=record.pk).update(parent=F("pk")), rule)
    record.parent = record
    refused(record.save, rule)  # save() without full_clean()


@pytest.mark.django_db
@pytest.mark.parametrize("model", WITH_PARENTS, **by_name)
def test_database_refuses_a_new_record_that_is_its_own_parent(model):
    """The check sees the row's id on insert too (both engines give it before checking)."""
    record = WITH_PARENTS[model].build(id=987654, parent_id=987654)
    refused(record.save, f"{model._meta.model_name}_not_own_parent")


@pytest.mark.django_db
@pytest.mark.parametrize("model", WITH_PARENTS, **by_name)
def test_database_refuses_a_two_record_cycle(model):
    top, bottom = chain(WITH_PARENTS[model], 2)
    rule = f"{model._meta.model_name}_parent_not_in_cycle"
    refused(lambda: model.objects.filter(pk=top.pk).update(parent=bottom), rule)
    top.parent = bottom
    refused(top.save, rule)


@pytest.mark.django_db
@pytest.mark.parametrize("model", WITH_PARENTS, **by_name)
def test_database_refuses_a_longer_cycle(model):
    records = chain(WITH_PARENTS[model], 5)
    rule = f"{model._meta.model_name}_parent_not_in_cycle"
    refused(lambda: model.objects.filter(pk=records[0].pk).update(parent=records[-1]), rule)
    refused(lambda: model.objects.filter(pk=records[1].pk).update(parent=records[3]), rule)


@pytest.mark.django_db
def test_database_refuses_a_cycle_closed_by_one_statement():
    a, b = EventFactory(), EventFactory()
    both = Case(When(pk=a.pk, then=b.pk), When(pk=b.pk, then=a.pk))
    refused(
        lambda: Event.objects.filter(pk__in=[a.pk, b.pk]).update(parent_id=both),
        "event_parent_not_in_cycle",
    )


@pytest.mark.django_db
def test_database_refuses_a_cycle_closed_by_an_insert():
    """Foreign keys are checked at commit, so rows with chosen ids can point ahead."""
    first = EventFactory.build(id=987654, parent_id=987655)

    def insert_both():
        first.save()
        EventFactory(id=987655, parent_id=987654)

    refused(insert_both, "event_parent_not_in_cycle")


@pytest.mark.django_db
@pytest.mark.parametrize("model", WITH_PARENTS, **by_name)
def test_nesting_and_moving_records_without_a_cycle_is_accepted(model):
    top, middle, bottom = chain(WITH_PARENTS[model], 3)
    other = WITH_PARENTS[model]()
    model.objects.filter(pk=bottom.pk).update(parent=top)  # up a level
    model.objects.filter(pk=top.pk).update(parent=other)  # the whole tree under another
    middle.parent = bottom  # a sibling's child
    middle.full_clean()
    middle.save()
    assert list(model.objects.filter(pk=middle.pk).values_list("parent", flat=True)) == [bottom.pk]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite writes one at a time")
@pytest.mark.django_db(transaction=True)
def test_two_editors_cannot_each_close_half_of_a_cycle():
    """Each transaction alone sees no cycle; the second waits for the first and then sees it."""
    a, b = EventFactory(), EventFactory()
    outcome = {}

    def second_editor():
        try:
            with transaction.atomic():
                Event.objects.filter(pk=b.pk).update(parent=a)
            outcome["saved"] = True
        except IntegrityError as error:
            outcome["refused"] = str(error)
        finally:
            connection.close()

    with transaction.atomic():
        Event.objects.filter(pk=a.pk).update(parent=b)
        thread = threading.Thread(target=second_editor)
        thread.start()
        time.sleep(0.5)
        assert thread.is_alive(), "the second change should wait for the first"
    thread.join(10)
    assert "event_parent_not_in_cycle" in outcome.get("refused", "")
    assert Event.objects.get(pk=b.pk).parent is None


# ---- The admin ------------------------------------------------------------------------------


class FormValues(HTMLParser):
    """The values a browser would send back from the admin's change form, unchanged."""

    def __init__(self):
        super().__init__()
        self.values, self.select, self.textarea, self.text = [], None, None, ""

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name") or ""
        if (not name and tag != "option") or "__prefix__" in name:
            return
        kind = attrs.get("type")
        if tag == "input" and kind not in ("submit", "checkbox", "file"):
            self.values.append((name, attrs.get("value") or ""))
        elif tag == "input" and kind == "checkbox" and "checked" in attrs:
            self.values.append((name, attrs.get("value") or "on"))
        elif tag == "select":
            self.select = name
        elif tag == "option" and self.select and "selected" in attrs:
            self.values.append((self.select, attrs.get("value") or ""))
        elif tag == "textarea":
            self.textarea, self.text = name, ""

    def handle_data(self, data):
        if self.textarea:
            self.text += data

    def handle_endtag(self, tag):
        if tag == "select":
            self.select = None
        elif tag == "textarea" and self.textarea:
            # Browsers drop the newline that Django writes after <textarea>.
            self.values.append((self.textarea, self.text.removeprefix("\n")))
            self.textarea = None


def save_in_admin(client, record, **changes):
    """Open the record's change page, change some fields, save; the form as the page sends it."""
    url = reverse(f"admin:cooperation_{record._meta.model_name}_change", args=[record.pk])
    parser = FormValues()
    parser.feed(client.get(url).content.decode())
    data = {}
    for name, value in parser.values:
        data.setdefault(name, []).append(value)
    data.pop("csrfmiddlewaretoken", None)
    data.update({name: [str(value)] for name, value in changes.items()})
    return client.post(url, data)


def form_errors(response):
    assert response.status_code == 200, "the form should have been refused"
    return {
        field: " ".join(errors)
        for field, errors in response.context["adminform"].form.errors.items()
    }


@pytest.mark.django_db
def test_admin_saves_a_record_unchanged(admin_client):
    """The form helper itself: sending the page back as it is saves."""
    event = CitedEventFactory(parent=EventFactory())
    assert save_in_admin(admin_client, event).status_code == 302


@pytest.mark.django_db
@pytest.mark.parametrize("day", ["0001-01-01", "0999-12-31"])
def test_admin_refuses_an_event_date_outside_the_supported_years(admin_client, day):
    event = EventFactory(title="Original")
    response = save_in_admin(admin_client, event, title="Changed", start_date=day)
    assert form_errors(response)["start_date"] == YEARS_MESSAGE
    event.refresh_from_db()
    assert (event.title, event.start_date) == ("Original", datetime.date(2012, 7, 21))


@pytest.mark.django_db
def test_admin_refuses_a_source_dated_outside_the_supported_years(admin_client):
    source = SourceFactory()
    response = save_in_admin(admin_client, source, published_on="0001-01-01")
    assert form_errors(response)["published_on"] == YEARS_MESSAGE
    source.refresh_from_db()
    assert source.published_on is None


@pytest.mark.django_db
@pytest.mark.parametrize("field", ["start_year", "end_year"])
def test_admin_refuses_programme_years_outside_the_supported_years(admin_client, field):
    programme = ProgrammeFactory()
    response = save_in_admin(admin_client, programme, **{field: 5})
    assert form_errors(response)[field] == YEARS_MESSAGE
    programme.refresh_from_db()
    assert getattr(programme, field) is None


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("model", "message"),
    [
        (Event, "An event cannot be part of itself."),
        (Organization, "An organization cannot be part of itself."),
        (Programme, "A programme cannot be part of itself."),
    ],
    ids=["event", "organization", "programme"],
)
def test_admin_refuses_a_record_as_its_own_parent(admin_client, model, message):
    record = WITH_PARENTS[model]()
    response = save_in_admin(admin_client, record, parent=record.pk)
    assert form_errors(response) == {"parent": message}
    assert model.objects.get(pk=record.pk).parent is None


@pytest.mark.django_db
@pytest.mark.parametrize("model", WITH_PARENTS, **by_name)
def test_admin_refuses_a_two_record_cycle(admin_client, model):
    top, bottom = chain(WITH_PARENTS[model], 2)
    response = save_in_admin(admin_client, top, parent=bottom.pk)
    noun = model._meta.verbose_name
    assert form_errors(response) == {
        "parent": f"“{bottom}” is itself part of this {noun} (“{bottom}” → this {noun}), "
        "so it cannot be its parent."
    }
    assert model.objects.get(pk=top.pk).parent is None


@pytest.mark.django_db
def test_admin_refuses_a_longer_cycle_and_names_the_records_on_it(admin_client):
    trip, meeting, visit = chain(EventFactory, 3)
    response = save_in_admin(admin_client, trip, parent=visit.pk)
    assert form_errors(response) == {
        "parent": f"“{visit}” is itself part of this event (“{visit}” → “{meeting}” → this "
        "event), so it cannot be its parent."
    }
    assert Event.objects.get(pk=trip.pk).parent is None


# ---- Existing data --------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_migration_lists_the_records_to_correct_and_clears_own_parents(capsys):
    before, after = (
        ("cooperation", "0007_catalogue_version"),
        (
            "cooperation",
            "0008_supported_years_and_parents",
        ),
    )

    def migrate(target):
        executor = MigrationExecutor(connection)
        executor.migrate([target])
        return executor.loader.project_state(target).apps

    apps = migrate(before)
    try:
        old_event = apps.get_model("cooperation", "Event")
        old_programme = apps.get_model("cooperation", "Programme")

        def event(slug, **fields):
            fields.setdefault("start_date", datetime.date(2012, 1, 1))
            return old_event.objects.create(slug=slug, type="other", description=".", **fields)

        event("year-one", start_date=datetime.date(1, 1, 1))
        a, b = event("a"), event("b")
        old_event.objects.filter(pk=a.pk).update(parent=b)
        old_event.objects.filter(pk=b.pk).update(parent=a)
        itself = event("itself")
        old_event.objects.filter(pk=itself.pk).update(parent=itself)
        old_programme.objects.create(slug="year-five", name="Five", kind="other", start_year=5)

        with pytest.raises(RuntimeError) as refusal:
            migrate(after)
        assert str(refusal.value).splitlines()[1:] == [
            "  Event year-one: start_date 0001-01-01 is outside 1000-01-01..9999-12-31",
            "  Programme year-five: start_year 5 is outside 1000..9999",
            "  Event parents form a cycle: a -> b -> a",
        ]

        old_event.objects.filter(slug="year-one").update(start_date=datetime.date(2012, 1, 1))
        old_event.objects.filter(pk=a.pk).update(parent=None)
        old_programme.objects.update(start_year=2005)
        # The models as of 0008: today's have columns that later migrations add.
        events_then = migrate(after).get_model("cooperation", "Event").objects
        assert "Event was its own parent, parent cleared: itself" in capsys.readouterr().out
        assert events_then.get(slug="itself").parent is None
        assert events_then.get(slug="b").parent.slug == "a"
    finally:  # back to the latest schema whatever happened, for the tests after this one
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
        Event.all_objects.update(parent=None)
        Event.all_objects.all().delete()
        Programme.objects.all().delete()
