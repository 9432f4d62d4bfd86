import datetime

from django.core.exceptions import ValidationError
from django.db import models, router
from django.db.models import Count, F, Prefetch, Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from .base import (
    SUPPORTED_DATES,
    YEARS_MESSAGE,
    Timestamped,
    get_by_key,
    not_own_parent,
    parent_error,
    within_supported_years,
)
from .sources import Citation, CitationQuerySet


class Precision(models.TextChoices):
    DAY = "day", "Day"
    MONTH = "month", "Month"
    YEAR = "year", "Year"


def format_date(value: datetime.date, precision: str) -> str:
    """A date as a reader expects it at its precision: "21 July 2012", "July 2012", "2012"."""
    if precision == Precision.YEAR:
        return str(value.year)
    if precision == Precision.MONTH:
        return value.strftime("%B %Y")
    return f"{value.day} {value.strftime('%B %Y')}"


def iso_date(value: datetime.date, precision: str) -> str:
    """ISO 8601 at its precision: "2012", "2012-07", "2012-07-21"."""
    if precision == Precision.YEAR:
        return f"{value.year:04d}"
    if precision == Precision.MONTH:
        return f"{value.year:04d}-{value.month:02d}"
    return value.isoformat()


class EventQuerySet(models.QuerySet):
    def get_by_natural_key(self, slug):
        return get_by_key(self, slug=slug)

    def published(self):
        """Every event but the drafts, by their ids: drafts are few (event_draft_idx lists
        them), so a count of all published events stays an index-only scan of the primary
        key (75 ms at 1M events, against 230 ms for a test of each row's status)."""
        return self.exclude(pk__in=draft_ids())

    def drafts(self):
        return self.filter(status=Event.Status.DRAFT)

    def in_year(self, year: int):
        """Events under way at any time in the year (start or end in it, or spanning it)."""
        return self.filter(self.year_condition(year))

    @staticmethod
    def overlap_condition(date_from: datetime.date | None, date_to: datetime.date | None) -> Q:
        """Events whose [start, end] range touches [date_from, date_to].

        An event that started before date_from and was still under way then matches, so no
        index answers the condition alone: 2012's events sorted by date read every earlier
        event first (1.5 s at a million). It also says that such an event started at most
        the longest span of any event before date_from (EarliestStart: an indexed maximum,
        computed once per query), which bounds the range of the start-date index to read."""
        condition = Q()
        if date_to is not None:
            condition &= Q(start_date__lte=date_to)
        if date_from is not None:
            condition &= Q(start_date__gte=EarliestStart(date_from)) & (
                Q(start_date__gte=date_from) | Q(end_date__gte=date_from)
            )
        return condition

    @classmethod
    def year_condition(cls, year: int) -> Q:
        return cls.overlap_condition(datetime.date(year, 1, 1), datetime.date(year, 12, 31))

    def overlapping(self, date_from: datetime.date | None, date_to: datetime.date | None):
        return self.filter(self.overlap_condition(date_from, date_to))

    def hosted_by(self, *countries):
        return self.filter(
            pk__in=EventCountry.all_objects.filter(
                country__in=countries, role=EventCountry.Role.HOST
            ).values("event_id")
        )

    def involving(self, *countries):
        """Events a country hosted or took part in, in any role."""
        return self.filter(
            pk__in=EventCountry.all_objects.filter(country__in=countries).values("event_id")
        )

    # The links of the events read: all_objects, as drafts are left out with their events.

    def for_listing(self):
        """What a list row shows: host countries and programmes, in a fixed number of queries."""
        return self.prefetch_related(
            Prefetch(
                "country_links",
                queryset=EventCountry.all_objects.select_related("country"),
            ),
            "programmes",
        )

    def for_detail(self):
        return self.select_related("parent").prefetch_related(
            Prefetch("country_links", queryset=EventCountry.all_objects.select_related("country")),
            Prefetch(
                "organization_links",
                queryset=EventOrganization.all_objects.select_related("organization"),
            ),
            Prefetch(
                "person_links",
                queryset=EventPerson.all_objects.select_related("person", "organization"),
            ),
            Prefetch("citations", queryset=EventCitation.all_objects.with_sources()),
            "programmes",
        )


class Span(models.Func):
    """An event's span in days, end minus start (NULL without an end): event_span_idx."""

    output_field = models.IntegerField()
    # The index's expression, and EarliestStart's, which must be the same to use it.
    SQL = {
        "postgresql": '("end_date" - "start_date")',
        "sqlite": 'CAST(julianday("end_date") - julianday("start_date") AS INTEGER)',
    }

    def __init__(self):
        super().__init__(F("end_date"), F("start_date"))

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="(%(expressions)s)", arg_joiner=" - ")

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(
            compiler,
            connection,
            template="CAST(julianday(%(expressions)s) AS INTEGER)",
            arg_joiner=") - julianday(",
        )


class EarliestStart(models.Func):
    """`date` less the longest span of any event: no event that started earlier is still
    under way on `date`. The longest span is read from event_span_idx (an index's last
    entry), once per query: PostgreSQL evaluates the subquery once (an InitPlan), and uses
    the result as a bound of the start-date index."""

    output_field = models.DateField()

    def __init__(self, date: datetime.date):
        super().__init__(models.Value(date, output_field=models.DateField()))

    def longest(self, connection) -> str:
        table = connection.ops.quote_name(Event._meta.db_table)
        span = Span.SQL[connection.vendor]
        return f"(SELECT COALESCE(MAX({span}), 0) FROM {table} WHERE end_date IS NOT NULL)"

    def as_postgresql(self, compiler, connection, **extra):
        date, params = compiler.compile(self.source_expressions[0])
        return f"({date}::date - {self.longest(connection)})", params

    def as_sqlite(self, compiler, connection, **extra):
        date, params = compiler.compile(self.source_expressions[0])
        return f"date({date}, '-' || {self.longest(connection)} || ' days')", params


class PublishedEventManager(models.Manager.from_queryset(EventQuerySet)):
    """Published events only: what every public page, count, export and API answer reads."""

    def get_queryset(self):
        return super().get_queryset().published()


class Event(Timestamped):
    """Something the sources say happened, placed in time at least to the year.

    A new event is a draft: only the admin shows it. An editor publishes it once it cites a
    source (docs/curation.md, Drafts). `Event.objects` reads published events only;
    `Event.all_objects`, the default manager, reads every event (admin, loads, imports).
    """

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    class Type(models.TextChoices):
        TRAINING = "training", "Training"
        SEMINAR = "seminar", "Seminar or workshop"
        FORUM = "forum", "Forum or conference"
        VISIT = "visit", "Visit or delegation"
        MEETING = "meeting", "Meeting"
        SIGNING = "signing", "Signing"
        LAUNCH = "launch", "Launch or inauguration"
        RESEARCH = "research", "Research or publication"
        FIELD_VISIT = "field_visit", "Field visit"
        SPEECH = "speech", "Speech"
        OTHER = "other", "Other"

    slug = models.SlugField(max_length=150, unique=True)
    title = models.CharField(max_length=300)
    type = models.CharField(max_length=20, choices=Type)
    start_date = models.DateField(
        validators=SUPPORTED_DATES,
        help_text="At month or year precision, the first day of the month or year.",
    )
    date_precision = models.CharField(
        max_length=5,
        choices=Precision,
        default=Precision.DAY,
        help_text="How precisely the sources place the start.",
    )
    end_date = models.DateField(
        null=True,
        blank=True,
        validators=SUPPORTED_DATES,
        help_text="Empty for an event of a single day, month or year.",
    )
    end_date_precision = models.CharField(
        max_length=5,
        choices=Precision,
        blank=True,
        help_text="How precisely the sources place the end; empty without an end date.",
    )
    city = models.CharField(max_length=100, blank=True, help_text="City or town, as normalised.")
    venue = models.CharField(
        max_length=200, blank=True, help_text="Building, village or district, as the source says."
    )
    # A trip cannot be deleted while its parts still point at it: detach them first.
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        help_text="The trip or larger event this is part of.",
    )
    programmes = models.ManyToManyField("Programme", blank=True, related_name="events")
    theme = models.CharField(
        max_length=300, blank=True, help_text="Subject, as the source names it."
    )
    description = models.TextField(help_text="One to three sentences in the editors' own words.")
    participants = models.PositiveIntegerField(
        null=True, blank=True, help_text="Number of participants as the source states it."
    )
    participants_is_minimum = models.BooleanField(
        default=False, help_text='The source gives a lower bound ("over 120").'
    )
    participant_countries = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="Number of participating countries as the source states it.",
    )
    participant_countries_is_minimum = models.BooleanField(
        default=False, help_text='The source gives a lower bound ("more than 20 countries").'
    )
    editor_note = models.TextField(
        blank=True,
        help_text="Judgement calls: inferred dates, evident source errors kept as given, "
        "counts that disagree with the source's own list.",
    )
    countries = models.ManyToManyField(
        "Country", through="EventCountry", related_name="events", blank=True
    )
    organizations = models.ManyToManyField(
        "Organization", through="EventOrganization", related_name="events", blank=True
    )
    people = models.ManyToManyField(
        "Person", through="EventPerson", related_name="events", blank=True
    )

    status = models.CharField(
        max_length=10,
        choices=Status,
        default=Status.DRAFT,
        help_text="Drafts appear only in the admin. Publish an event once it cites a source.",
    )

    # Declared first, so it is the default manager: the admin, fixture loads, related managers.
    all_objects = EventQuerySet.as_manager()
    objects = PublishedEventManager()

    history = HistoricalRecords(m2m_fields=[programmes])

    class Meta:
        ordering = ["-start_date", "title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="event_end_not_before_start",
                violation_error_message="The end date cannot be before the start date.",
            ),
            models.CheckConstraint(
                condition=(Q(end_date__isnull=True) & Q(end_date_precision=""))
                | (Q(end_date__isnull=False) & ~Q(end_date_precision="")),
                name="event_end_precision_with_end_date",
                violation_error_message="An end date needs an end precision, and only an end "
                "date can have one.",
            ),
            models.CheckConstraint(
                condition=Q(participants__isnull=True) | Q(participants__gte=0),
                name="event_participants_not_negative",
                violation_error_message="The number of participants cannot be negative.",
            ),
            models.CheckConstraint(
                condition=Q(participant_countries__isnull=True) | Q(participant_countries__gte=0),
                name="event_participant_countries_not_negative",
                violation_error_message="The number of countries cannot be negative.",
            ),
            # The pages place every event on a year page and in the yearly charts.
            models.CheckConstraint(
                condition=within_supported_years("start_date", dates=True),
                name="event_start_date_in_supported_years",
                violation_error_message=YEARS_MESSAGE,
            ),
            models.CheckConstraint(
                condition=within_supported_years("end_date", dates=True),
                name="event_end_date_in_supported_years",
                violation_error_message=YEARS_MESSAGE,
            ),
            # An event that is part of itself could never be deleted (PROTECT on parent).
            # Longer cycles are refused by a trigger (migration 0008), not expressible here.
            models.CheckConstraint(
                condition=not_own_parent(),
                name="event_not_own_parent",
                violation_error_message="An event cannot be part of itself.",
            ),
        ]
        indexes = [
            # Default sort of the events list, the year and date-range filters, year pages.
            models.Index(fields=["start_date", "id"], name="event_start_date_idx"),
            # Type filter combined with the date sort.
            models.Index(fields=["type", "start_date"], name="event_type_start_idx"),
            # The few drafts, which every public count of links leaves out (EventLinkQuerySet).
            models.Index(fields=["id"], condition=Q(status="draft"), name="event_draft_idx"),
            # The longest span of an event, which bounds the year and date-range filters
            # (EarliestStart): its last entry.
            models.Index(Span(), condition=Q(end_date__isnull=False), name="event_span_idx"),
        ]

    def __str__(self):
        return f"{self.title} ({self.date_display})"

    def natural_key(self):
        return (self.slug,)

    def get_absolute_url(self):
        return reverse("cooperation:event-detail", args=[self.slug])

    def clean(self):
        errors = {}
        for date_field, precision_field in [
            ("start_date", "date_precision"),
            ("end_date", "end_date_precision"),
        ]:
            value, precision = getattr(self, date_field), getattr(self, precision_field)
            if value is None:
                continue
            if precision == Precision.MONTH and value.day != 1:
                errors[date_field] = "At month precision, give the first day of the month."
            if precision == Precision.YEAR and (value.month, value.day) != (1, 1):
                errors[date_field] = "At year precision, give the first of January."
        if message := parent_error(self):
            errors["parent"] = message
        if message := self.publication_error():
            errors["status"] = message
        if errors:
            raise ValidationError(errors)

    def publication_error(self) -> str:
        """Why this event cannot have its status, or "": a published event's trip is published
        too (its page, exports and the API link to it), and a trip with published parts stays
        published. Citations are checked where they are edited (the admin's citation rows)."""
        manager = type(self).all_objects.db_manager(router.db_for_write(type(self)))
        if self.status == self.Status.PUBLISHED and self.parent_id is not None:
            parent = manager.filter(pk=self.parent_id).first()
            if parent is not None and parent.status != self.Status.PUBLISHED:
                return f"It is part of “{parent.title}”, a draft: publish that event first."
        if self.status == self.Status.DRAFT and self.pk is not None:
            parts = list(manager.published().filter(parent_id=self.pk)[:3])
            if parts:
                names = ", ".join(f"“{part.title}”" for part in parts)
                return (
                    f"Its published parts ({names}) would point at a draft: make them drafts "
                    "first, or keep this event published."
                )
        return ""

    @property
    def date_display(self) -> str:
        start = format_date(self.start_date, self.date_precision)
        if self.end_date is None:
            return start
        end = format_date(self.end_date, self.end_date_precision)
        if start == end:
            return start
        if (
            self.date_precision == self.end_date_precision == Precision.DAY
            and self.start_date.year == self.end_date.year
        ):
            if self.start_date.month == self.end_date.month:
                return f"{self.start_date.day}–{end}"
            return f"{self.start_date.day} {self.start_date.strftime('%B')} – {end}"
        return f"{start} – {end}"

    @property
    def start_iso(self) -> str:
        return iso_date(self.start_date, self.date_precision)

    @property
    def end_iso(self) -> str:
        return iso_date(self.end_date, self.end_date_precision) if self.end_date else ""

    @property
    def participants_display(self) -> str:
        if self.participants is None:
            return ""
        return (
            f"over {self.participants}" if self.participants_is_minimum else str(self.participants)
        )


def draft_ids():
    """The ids of draft events, as a subquery: public counts of links leave them out. Drafts
    are few, and a partial index (event_draft_idx) lists them."""
    return Event.all_objects.drafts().values("id")


def published(relation: str) -> Q:
    """A condition for a relation that ends at events ("events", "event_links__event"): the
    event is published. It reads the link's event id only, with no join to the events."""
    return ~Q(**{f"{relation}__in": draft_ids()})


def count_events(relation: str, condition: Q | None = None) -> Count:
    """How many published events a record is linked to through `relation`, where the link
    meets `condition` (a country's hosted events): the number every public page shows."""
    condition = published(relation) if condition is None else condition & published(relation)
    return Count(relation, filter=condition, distinct=True)


class OfPublishedEvents:
    """For the querysets of rows that belong to an event (its links and citations)."""

    def of_published(self):
        return self.exclude(event_id__in=draft_ids())


class EventLinkQuerySet(OfPublishedEvents, models.QuerySet):
    """Links are addressed in fixtures by (event slug, target key, role)."""

    def get_by_natural_key(self, event_slug, target_key, role):
        target = self.model.target_field
        lookup = "code" if target == "country" else "slug"
        return self.get(event__slug=event_slug, **{f"{target}__{lookup}": target_key}, role=role)


class PublishedLinkManager(models.Manager):
    """Links of published events only: what public pages and counts read. `all_objects`,
    declared first on each link model, is the default manager (admin inlines, loads)."""

    def get_queryset(self):
        return super().get_queryset().of_published()


class EventCountry(models.Model):
    class Role(models.TextChoices):
        HOST = "host", "Host"
        PARTICIPANT = "participant", "Participant"
        BENEFICIARY = "beneficiary", "Beneficiary"
        PARTNER = "partner", "Partner"

    target_field = "country"
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="country_links")
    # Countries are reference data: never deleted while events point at them.
    country = models.ForeignKey("Country", on_delete=models.PROTECT, related_name="event_links")
    role = models.CharField(max_length=20, choices=Role)
    note = models.CharField(max_length=300, blank=True)

    all_objects = EventLinkQuerySet.as_manager()
    objects = PublishedLinkManager.from_queryset(EventLinkQuerySet)()

    history = HistoricalRecords()

    class Meta:
        ordering = ["role", "country__name"]
        verbose_name = "event country"
        verbose_name_plural = "event countries"
        constraints = [
            models.UniqueConstraint(fields=["event", "country", "role"], name="eventcountry_unique")
        ]
        indexes = [
            # Country filter (with or without role) on the events list; country pages.
            models.Index(fields=["country", "role", "event"], name="eventcountry_country_idx"),
        ]

    def __str__(self):
        return f"{self.country} ({self.get_role_display().lower()})"

    def natural_key(self):
        return (self.event.slug, self.country.code, self.role)


class EventOrganization(models.Model):
    class Role(models.TextChoices):
        ORGANIZER = "organizer", "Organizer"
        CO_ORGANIZER = "co_organizer", "Co-organizer"
        SPONSOR = "sponsor", "Sponsor"
        FUNDER = "funder", "Funder"
        HOST = "host", "Host"
        IMPLEMENTER = "implementer", "Implementer"
        PARTICIPANT = "participant", "Participant"
        SUPPORTER = "supporter", "Supporter"

    target_field = "organization"
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="organization_links")
    # An organization that events use cannot be deleted out from under them.
    organization = models.ForeignKey(
        "Organization", on_delete=models.PROTECT, related_name="event_links"
    )
    role = models.CharField(max_length=20, choices=Role)
    note = models.CharField(max_length=300, blank=True)

    all_objects = EventLinkQuerySet.as_manager()
    objects = PublishedLinkManager.from_queryset(EventLinkQuerySet)()

    history = HistoricalRecords()

    class Meta:
        ordering = ["role", "organization__name"]
        verbose_name = "event organization"
        constraints = [
            models.UniqueConstraint(
                fields=["event", "organization", "role"], name="eventorganization_unique"
            )
        ]
        indexes = [
            # Organization filter on the events list; organization pages.
            models.Index(fields=["organization", "role", "event"], name="eventorg_org_idx"),
        ]

    def __str__(self):
        return f"{self.organization} ({self.get_role_display().lower()})"

    def natural_key(self):
        return (self.event.slug, self.organization.slug, self.role)


class EventPerson(models.Model):
    class Role(models.TextChoices):
        HEAD_OF_DELEGATION = "head_of_delegation", "Head of delegation"
        DELEGATION_MEMBER = "delegation_member", "Delegation member"
        HOST = "host", "Host"
        GUEST = "guest", "Guest received"
        SPEAKER = "speaker", "Speaker"
        SIGNATORY = "signatory", "Signatory"
        ATTENDEE = "attendee", "Attendee"
        TRAINER = "trainer", "Trainer"
        TRAINEE = "trainee", "Trainee"
        ORGANIZER = "organizer", "Organizer"
        OTHER = "other", "Other"

    target_field = "person"
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="person_links")
    # A person that events cite cannot be deleted out from under them.
    person = models.ForeignKey("Person", on_delete=models.PROTECT, related_name="event_links")
    role = models.CharField(max_length=20, choices=Role)
    title = models.CharField(
        max_length=300,
        blank=True,
        help_text='The title held at the time, as the source gives it ("Vice Minister of LGOP").',
    )
    # Keeping the link when the organization goes would misstate whom they represented.
    organization = models.ForeignKey(
        "Organization",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="person_event_links",
        help_text="The body the person represented at the event, if the source says.",
    )
    note = models.CharField(max_length=300, blank=True)

    all_objects = EventLinkQuerySet.as_manager()
    objects = PublishedLinkManager.from_queryset(EventLinkQuerySet)()

    history = HistoricalRecords()

    class Meta:
        ordering = ["pk"]
        verbose_name = "event person"
        verbose_name_plural = "event people"
        constraints = [
            models.UniqueConstraint(fields=["event", "person", "role"], name="eventperson_unique")
        ]
        indexes = [
            # Person filter on the events list; person pages.
            models.Index(fields=["person", "event"], name="eventperson_person_idx"),
        ]

    def __str__(self):
        details = ", ".join(filter(None, [self.get_role_display().lower(), self.title]))
        return f"{self.person} ({details})"

    def natural_key(self):
        return (self.event.slug, self.person.slug, self.role)


class EventCitationQuerySet(OfPublishedEvents, CitationQuerySet):
    pass


class EventCitation(Citation):
    record_field = "event"
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="citations")

    all_objects = EventCitationQuerySet.as_manager()
    objects = PublishedLinkManager.from_queryset(EventCitationQuerySet)()

    history = HistoricalRecords()

    class Meta:
        ordering = ["source", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "source", "locator"], name="eventcitation_unique"
            )
        ]
