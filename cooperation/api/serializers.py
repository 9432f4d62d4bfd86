"""How each record reads in the API: objects with ids, names and addresses, never strings to
parse. The OpenAPI document (drf-spectacular) is generated from these classes.

Every record carries `url` (its API resource) and `html_url` (its page). Addresses are built
from the site's address in the serializer context ("base"), without a reverse() per link.
"""

from django.db.models import Prefetch
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ..columns import label
from ..models import (
    Country,
    Event,
    EventCitation,
    EventCountry,
    EventOrganization,
    EventPerson,
    Organization,
    Person,
    Precision,
    Programme,
    Source,
    alias_lines,
    iso_date,
)

# ---- Fields -------------------------------------------------------------------------------


def dig(instance, path: str):
    for name in path.split("."):
        if instance is None:
            return None
        instance = getattr(instance, name)
    return instance


@extend_schema_field(OpenApiTypes.URI)
class Address(serializers.Field):
    """A record's address: its API resource, or with `page=True` its web page. `key` is the
    attribute path of its slug (or code) on the serialized object."""

    def __init__(self, prefix: str, key: str = "slug", *, page=False, **kwargs):
        self.prefix, self.key, self.page = prefix, key, page
        kwargs.update(source="*", read_only=True)
        super().__init__(**kwargs)

    def to_representation(self, instance):
        key = dig(instance, self.key)
        if key is None:
            return None
        root = "" if self.page else "/api"
        return f"{self.context['base']}{root}/{self.prefix}/{str(key).lower()}/"


@extend_schema_field(OpenApiTypes.URI)
class EventsAddress(serializers.Field):
    """The API list of a record's events: /api/events/?organization=lgop."""

    def __init__(self, param: str, key: str = "slug", **kwargs):
        self.param, self.key = param, key
        kwargs.update(source="*", read_only=True)
        super().__init__(**kwargs)

    def to_representation(self, instance):
        value = str(dig(instance, self.key)).lower()
        return f"{self.context['base']}/api/events/?{self.param}={value}"


class StatedCount(serializers.Serializer):
    value = serializers.IntegerField(min_value=0)
    is_minimum = serializers.BooleanField(help_text="The source gives a lower bound: “over N”.")


@extend_schema_field(StatedCount(allow_null=True))
class Stated(serializers.Field):
    """A count as the source states it: {value, is_minimum}, or null when not stated."""

    def __init__(self, field: str, **kwargs):
        self.field = field
        kwargs.update(source="*", read_only=True)
        super().__init__(**kwargs)

    def to_representation(self, instance):
        value = getattr(instance, self.field)
        if value is None:
            return None
        return {"value": value, "is_minimum": bool(getattr(instance, f"{self.field}_is_minimum"))}


@extend_schema_field(serializers.ListField(child=serializers.CharField()))
class Aliases(serializers.Field):
    """Other spellings the sources use, one string each."""

    def __init__(self, **kwargs):
        kwargs.update(read_only=True)
        super().__init__(**kwargs)

    def to_representation(self, value):
        return alias_lines(value or "")


class Label(serializers.Field):
    """A choice's words ("Visit or delegation") beside its code."""

    def __init__(self, choices, field: str, **kwargs):
        self.choices, self.field = choices, field
        kwargs.update(source="*", read_only=True)
        super().__init__(**kwargs)

    def to_representation(self, instance):
        return label(self.choices, getattr(instance, self.field))


extend_schema_field(OpenApiTypes.STR)(Label)


@extend_schema_field(OpenApiTypes.STR)
class PreciseDate(serializers.Field):
    """ISO 8601 at the date's precision: "2012", "2012-07" or "2012-07-21"; null if none."""

    def __init__(self, field: str, precision: str, **kwargs):
        self.field, self.precision = field, precision
        kwargs.update(source="*", read_only=True, allow_null=True)
        super().__init__(**kwargs)

    def to_representation(self, instance):
        value = getattr(instance, self.field)
        return iso_date(value, getattr(instance, self.precision)) if value else None


class Chosen(serializers.Serializer):
    """A serializer that writes only the fields named in context["fields"] (fields=), in
    that order."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.chosen = self._context.get("fields")
        if self.chosen:
            for name in list(self.fields):
                if name not in self.chosen:
                    self.fields.pop(name)

    def to_representation(self, instance):
        data = super().to_representation(instance)
        return {name: data[name] for name in self.chosen} if self.chosen else data

    @classmethod
    def prefetch(cls, queryset, fields=None):
        """The queryset with what the chosen fields (all by default) read from other tables,
        one query per kind of link for a whole page."""
        needed = cls.lookups(fields)
        related = [item for item in needed if isinstance(item, str)]
        prefetched = [item for item in needed if not isinstance(item, str)]
        if related:
            queryset = queryset.select_related(*dict.fromkeys(related))
        return queryset.prefetch_related(*dict.fromkeys(prefetched)) if prefetched else queryset

    @classmethod
    def lookups(cls, fields=None) -> list:
        """What the chosen fields (all by default) read from other tables: names for
        select_related, Prefetches for prefetch_related."""
        return [lookup for name, lookups in cls.links.items() if fields is None or name in fields
                for lookup in lookups]  # fmt: skip

    # {field: what it reads}: a name for select_related, a Prefetch for prefetch_related.
    links: dict = {}


def citations_of(model):
    citation = model.citations.rel.related_model
    return citation.objects.select_related("source").order_by("source__title", "pk")


COUNTRY_LINKS = Prefetch(
    "country_links",
    queryset=EventCountry.all_objects.select_related("country")
    .only("event_id", "role", "country__code", "country__name")
    .order_by("role", "country__name", "pk"),
    to_attr="country_list",
)


# ---- References: a linked record in a few words -------------------------------------------
# A page of 500 events holds thousands of these: each writes its dict directly (the fields
# declared beside it describe it in the OpenAPI document; tests check that they agree).


ORGANIZATION_REF = ("slug", "name", "acronym")  # what OrganizationRef reads


def addresses(base: str, prefix: str, key: str) -> dict:
    return {"url": f"{base}/api/{prefix}/{key}/", "html_url": f"{base}/{prefix}/{key}/"}


class References(serializers.ListSerializer):
    """Many references: the site's address read from the context once for all of them (each
    read walks up to the root serializer; 200 events a page hold about 1,500 references)."""

    def to_representation(self, data):
        items = data.all() if hasattr(data, "all") else data
        write, base = self.child.write, self.context["base"]
        return [write(item, base) for item in items]


class Reference(serializers.Serializer):
    class Meta:
        list_serializer_class = References

    def to_representation(self, instance):
        return self.write(instance, self.context["base"])


class CountryRef(Reference):
    code = serializers.CharField(help_text="ISO 3166-1 alpha-2, upper case.")
    name = serializers.CharField()
    url = Address("countries", "code")
    html_url = Address("countries", "code", page=True)

    @staticmethod
    def write(country, base):
        code = country.code
        return {"code": code, "name": country.name,
                **addresses(base, "countries", code.lower())}  # fmt: skip


class CountryLink(Reference):
    code = serializers.CharField(source="country.code")
    name = serializers.CharField(source="country.name")
    url = Address("countries", "country.code")
    html_url = Address("countries", "country.code", page=True)
    role = serializers.ChoiceField(EventCountry.Role.choices)

    @staticmethod
    def write(link, base):
        return {**CountryRef.write(link.country, base), "role": link.role}


class OrganizationRef(Reference):
    slug = serializers.SlugField()
    name = serializers.CharField()
    acronym = serializers.CharField()
    url = Address("organizations")
    html_url = Address("organizations", page=True)

    @staticmethod
    def write(organization, base):
        return {"slug": organization.slug, "name": organization.name,
                "acronym": organization.acronym,
                **addresses(base, "organizations", organization.slug)}  # fmt: skip


class OrganizationLink(Reference):
    slug = serializers.SlugField(source="organization.slug")
    name = serializers.CharField(source="organization.name")
    acronym = serializers.CharField(source="organization.acronym")
    url = Address("organizations", "organization.slug")
    html_url = Address("organizations", "organization.slug", page=True)
    role = serializers.ChoiceField(EventOrganization.Role.choices)

    @staticmethod
    def write(link, base):
        return {**OrganizationRef.write(link.organization, base), "role": link.role}


class PersonLink(Reference):
    slug = serializers.SlugField(source="person.slug")
    name = serializers.CharField(source="person.name")
    url = Address("people", "person.slug")
    html_url = Address("people", "person.slug", page=True)
    role = serializers.ChoiceField(EventPerson.Role.choices)
    title_at_the_time = serializers.CharField(
        source="title", help_text="The title the person held at the time; may be empty."
    )
    organization = OrganizationRef(
        allow_null=True, help_text="The body the person represented, where known."
    )

    @staticmethod
    def write(link, base):
        person, organization = link.person, link.organization
        return {
            "slug": person.slug,
            "name": person.name,
            **addresses(base, "people", person.slug),
            "role": link.role,
            "title_at_the_time": link.title,
            "organization": OrganizationRef.write(organization, base) if organization else None,
        }


class ProgrammeRef(Reference):
    slug = serializers.SlugField()
    name = serializers.CharField()
    url = Address("programmes")
    html_url = Address("programmes", page=True)

    @staticmethod
    def write(programme, base):
        return {"slug": programme.slug, "name": programme.name,
                **addresses(base, "programmes", programme.slug)}  # fmt: skip


class SourceRef(Reference):
    slug = serializers.SlugField()
    title = serializers.CharField()
    url = Address("sources")
    html_url = Address("sources", page=True)

    @staticmethod
    def write(source, base):
        return {"slug": source.slug, "title": source.title,
                **addresses(base, "sources", source.slug)}  # fmt: skip


class Citation(Reference):
    source = SourceRef()
    locator = serializers.CharField(help_text="Where in the source: section, item, paragraph.")
    url = Address(
        "sources", "source.slug", page=True, help_text="The page where a reader checks it."
    )

    @staticmethod
    def write(citation, base):
        source = citation.source
        return {"source": SourceRef.write(source, base), "locator": citation.locator,
                "url": f"{base}/sources/{source.slug}/"}  # fmt: skip


class EventRef(Reference):
    id = serializers.IntegerField()
    slug = serializers.SlugField()
    title = serializers.CharField()
    url = Address("events")
    html_url = Address("events", page=True)

    @staticmethod
    def write(event, base):
        return {"id": event.id, "slug": event.slug, "title": event.title,
                **addresses(base, "events", event.slug)}  # fmt: skip


# ---- Records -----------------------------------------------------------------------------


class EventSerializer(Chosen):
    """A training, seminar, forum, visit, signing, launch or piece of research: who met
    whom, where, when, under which programme, and the sources that say so."""

    id = serializers.IntegerField(help_text="The catalogue's stable id of the event.")
    slug = serializers.SlugField()
    url = Address("events")
    html_url = Address("events", page=True)
    title = serializers.CharField(help_text="The event's title, as the source names it.")
    type = serializers.ChoiceField(Event.Type.choices)
    type_label = Label(Event.Type, "type")
    start_date = PreciseDate("start_date", "date_precision")
    date_precision = serializers.ChoiceField(
        Precision.choices, help_text="How precisely the sources place the start."
    )
    end_date = PreciseDate("end_date", "end_date_precision")
    end_date_precision = serializers.SerializerMethodField()
    city = serializers.CharField()
    venue = serializers.CharField()
    host_countries = serializers.SerializerMethodField()
    countries = CountryLink(source="country_list", many=True)
    organizations = OrganizationLink(source="organization_list", many=True)
    people = PersonLink(source="person_list", many=True)
    programmes = ProgrammeRef(source="programme_list", many=True)
    parent = EventRef(allow_null=True, help_text="The trip or larger event this one is part of.")
    parts = EventRef(source="part_list", many=True, help_text="Events that are part of this one.")
    participants = Stated("participants")
    participant_countries = Stated("participant_countries")
    theme = serializers.CharField()
    description = serializers.CharField(help_text="One to three sentences in the editors' words.")
    note = serializers.CharField(
        source="editor_note",
        help_text="The editors' note: inferred dates, evident source errors kept as given.",
    )
    citations = Citation(source="citation_list", many=True)

    @extend_schema_field(serializers.ChoiceField(Precision.choices, allow_null=True))
    def get_end_date_precision(self, event):
        return event.end_date_precision if event.end_date else None

    @extend_schema_field(CountryRef(many=True))
    def get_host_countries(self, event):
        base = self.context["base"]
        return [CountryRef.write(link.country, base) for link in event.country_list
                if link.role == EventCountry.Role.HOST]  # fmt: skip

    links = {
        "host_countries": [COUNTRY_LINKS],
        "countries": [COUNTRY_LINKS],
        "organizations": [
            Prefetch(
                "organization_links",
                queryset=EventOrganization.all_objects.select_related("organization")
                .only("event_id", "role", *(f"organization__{f}" for f in ORGANIZATION_REF))
                .order_by("role", "organization__name", "pk"),
                to_attr="organization_list",
            )
        ],
        "people": [
            Prefetch(
                "person_links",
                queryset=EventPerson.all_objects.select_related("person", "organization")
                .only(
                    "event_id",
                    "role",
                    "title",
                    "person__slug",
                    "person__name",
                    *(f"organization__{f}" for f in ORGANIZATION_REF),
                )
                .order_by("pk"),
                to_attr="person_list",
            )
        ],
        "programmes": [
            Prefetch(
                "programmes",
                queryset=Programme.objects.only("slug", "name").order_by("name", "pk"),
                to_attr="programme_list",
            )
        ],
        "parent": ["parent"],
        "parts": [
            Prefetch(
                "children",
                queryset=Event.objects.only("id", "slug", "title", "parent_id").order_by(
                    "start_date", "id"
                ),
                to_attr="part_list",
            )
        ],
        "citations": [
            Prefetch(
                "citations",
                queryset=EventCitation.all_objects.select_related("source")
                .only("event_id", "locator", "source__slug", "source__title")
                .order_by("source__title", "pk"),
                to_attr="citation_list",
            )
        ],
    }


class CountrySerializer(Chosen):
    """A country, with the events it hosted and took part in."""

    code = serializers.CharField(help_text="ISO 3166-1 alpha-2, upper case.")
    url = Address("countries", "code")
    html_url = Address("countries", "code", page=True)
    alpha3 = serializers.CharField()
    numeric = serializers.CharField()
    name = serializers.CharField()
    official_name = serializers.CharField()
    region = serializers.CharField(help_text="UN M49 region; may be empty.")
    subregion = serializers.CharField()
    aliases = Aliases()
    events = serializers.IntegerField(
        source="n", allow_null=True, help_text="Events it hosted or took part in."
    )
    events_hosted = serializers.IntegerField(allow_null=True)
    events_taken_part = serializers.IntegerField(
        allow_null=True, help_text="Events it took part in in any role but host."
    )
    events_url = EventsAddress("country", "code")


class ProgrammeSerializer(Chosen):
    """A programme, fund or series that events belong to."""

    slug = serializers.SlugField()
    url = Address("programmes")
    html_url = Address("programmes", page=True)
    name = serializers.CharField()
    acronym = serializers.CharField()
    kind = serializers.ChoiceField(Programme.Kind.choices)
    start_year = serializers.IntegerField(allow_null=True)
    end_year = serializers.IntegerField(allow_null=True)
    parent = ProgrammeRef(allow_null=True)
    lead_organizations = OrganizationRef(many=True)
    countries = CountryRef(many=True)
    description = serializers.CharField()
    aliases = Aliases()
    events = serializers.IntegerField(source="n", allow_null=True)
    events_url = EventsAddress("programme")
    citations = Citation(many=True)

    links = {
        "parent": ["parent"],
        "lead_organizations": [
            Prefetch("lead_organizations", queryset=Organization.objects.order_by("name"))
        ],
        "countries": [Prefetch("countries", queryset=Country.objects.order_by("name"))],
        "citations": [Prefetch("citations", queryset=citations_of(Programme))],
    }


class OrganizationSerializer(Chosen):
    """A government body, agency, company or other organization, with its events."""

    slug = serializers.SlugField()
    url = Address("organizations")
    html_url = Address("organizations", page=True)
    name = serializers.CharField()
    acronym = serializers.CharField()
    kind = serializers.ChoiceField(Organization.Kind.choices)
    country = CountryRef(allow_null=True, help_text="Where the body is based.")
    parent = OrganizationRef(allow_null=True, help_text="The body it belongs to.")
    description = serializers.CharField()
    aliases = Aliases()
    events = serializers.IntegerField(source="n", allow_null=True)
    events_url = EventsAddress("organization")
    citations = Citation(many=True)

    links = {
        "country": ["country"],
        "parent": ["parent"],
        "citations": [Prefetch("citations", queryset=citations_of(Organization))],
    }


class PersonSerializer(Chosen):
    """A person named in the sources, with their events."""

    slug = serializers.SlugField()
    url = Address("people")
    html_url = Address("people", page=True)
    name = serializers.CharField()
    native_name = serializers.CharField()
    country = CountryRef(allow_null=True, help_text="The country they served or represented.")
    description = serializers.CharField()
    aliases = Aliases()
    events = serializers.IntegerField(source="n", allow_null=True)
    events_url = EventsAddress("person")
    citations = Citation(many=True)

    links = {
        "country": ["country"],
        "citations": [Prefetch("citations", queryset=citations_of(Person))],
    }


class SourceSerializer(Chosen):
    """A document that records cite."""

    slug = serializers.SlugField()
    url = Address("sources")
    html_url = Address("sources", page=True)
    title = serializers.CharField()
    kind = serializers.ChoiceField(Source.Kind.choices)
    publisher = serializers.CharField(help_text="As the document gives it; empty if not stated.")
    author = serializers.CharField()
    published_on = serializers.DateField(allow_null=True)
    date_note = serializers.CharField()
    document_url = serializers.CharField(source="url", help_text="Where it is published.")
    events = serializers.IntegerField(source="n", allow_null=True, help_text="Events citing it.")
    events_url = EventsAddress("source")


class YearSerializer(Chosen):
    """A year, and how many of the chosen events were under way in it."""

    year = serializers.IntegerField()
    events = serializers.IntegerField(help_text="The chosen events under way in that year.")
    events_url = serializers.SerializerMethodField()
    html_url = serializers.SerializerMethodField()

    @extend_schema_field(OpenApiTypes.URI)
    def get_events_url(self, row):
        return f"{self.context['base']}/api/events/?{row['query']}"

    @extend_schema_field(OpenApiTypes.URI)
    def get_html_url(self, row):
        return f"{self.context['base']}/events/?{row['query']}"
