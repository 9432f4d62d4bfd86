from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import models as db
from django.db.models import Count
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from simple_history.admin import SimpleHistoryAdmin

from . import duplicates, models
from .admin_history import InlineHistoryMixin
from .admin_locking import OptimisticLockingMixin
from .imports.admin import EventImportMixin

admin.site.site_header = "Cooperation catalogue — editors"
admin.site.site_title = "Cooperation catalogue"
admin.site.index_title = "Catalogue records"


class CatalogueAdmin(InlineHistoryMixin, OptimisticLockingMixin, SimpleHistoryAdmin):
    """Every catalogue record: history kept, with the changes to its inline rows shown on its
    history page (admin_history.py), and a save from a form opened before someone else's save
    refused, with what changed (admin_locking.py)."""

    class Media:
        css = {"all": ["css/admin.css"]}  # narrower inline tables: the event form fits 1,280 px


class ConfirmationField(forms.BooleanField):
    """A tick that answers a warning: no change to the record, so not in its change message."""

    def has_changed(self, initial, data):
        return False


class DuplicateWarningForm(forms.ModelForm):
    """Adding a person or organization, or renaming one, whose name or alias is close to
    another record's (cooperation/duplicates.py) is held back once: the form lists those
    records, linked, and saves when the editor ticks that this one is different."""

    CONFIRM = "confirm_different"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.duplicates = []
        # Added here rather than declared: a declared field would be in every form's fieldset,
        # and the template shows this one only under the warning.
        self.fields[self.CONFIRM] = ConfirmationField(
            required=False,
            label=f"This is a different {self._meta.model._meta.verbose_name}; save anyway",
        )

    def clean(self):
        cleaned = super().clean()
        model = self._meta.model
        named_by = {*duplicates.NAME_FIELDS[model], "aliases"}
        # A change that leaves the names alone was checked when they were last saved.
        renamed = not self.instance.pk or named_by & set(self.changed_data)
        if not renamed or cleaned.get(self.CONFIRM):
            return cleaned
        names = duplicates.names_of(model, cleaned)
        self.duplicates = duplicates.candidates(model, names, exclude_pk=self.instance.pk)
        if self.duplicates:
            raise ValidationError(self._warning(), code="possible_duplicate")
        return cleaned

    def _warning(self):
        opts = self._meta.model._meta
        url = f"admin:{opts.app_label}_{opts.model_name}_change"
        return format_html(
            "This {} may already be in the catalogue: <ul>{}</ul>Open those records to check, "
            "or tick “{}” below and save again.",
            opts.verbose_name,
            format_html_join(
                "",
                '<li><a href="{}">{}</a>: {} (“{}” and “{}”)</li>',
                (
                    (reverse(url, args=[c.record.pk]), c.record, c.reason, c.entered, c.existing)
                    for c in self.duplicates
                ),
            ),
            self.fields[self.CONFIRM].label,
        )


class CitationInline(admin.TabularInline):
    extra = 0
    autocomplete_fields = ["source"]
    fields = ["source", "locator", "note"]


class EventCitationFormSet(forms.BaseInlineFormSet):
    """A published event cites at least one source: its page says where each fact comes
    from. A draft may have none yet."""

    def clean(self):
        super().clean()
        event = self.instance
        if event.status != models.Event.Status.PUBLISHED or any(f.errors for f in self.forms):
            return
        deleted = {form.instance.pk for form in self.deleted_forms}
        stored = (
            self.model.all_objects.filter(event=event)
            if event.pk
            else self.model.all_objects.none()
        )
        kept = set(stored.values_list("pk", flat=True)) - deleted
        added = [
            form
            for form in self.extra_forms
            if form.has_changed() and not self._should_delete_form(form)
        ]
        if not kept and not added:
            raise ValidationError(
                "A published event cites at least one source. Add a citation below, or set "
                "the status to Draft to save it without one.",
                code="no_citation",
            )


class EventCitationInline(CitationInline):
    model = models.EventCitation
    formset = EventCitationFormSet


class ProgrammeCitationInline(CitationInline):
    model = models.ProgrammeCitation


class OrganizationCitationInline(CitationInline):
    model = models.OrganizationCitation


class PersonCitationInline(CitationInline):
    model = models.PersonCitation


class EventCountryInline(admin.TabularInline):
    model = models.EventCountry
    extra = 0
    autocomplete_fields = ["country"]
    fields = ["country", "role", "note"]


class EventOrganizationInline(admin.TabularInline):
    model = models.EventOrganization
    extra = 0
    autocomplete_fields = ["organization"]
    fields = ["organization", "role", "note"]


class EventPersonInline(admin.TabularInline):
    model = models.EventPerson
    extra = 0
    autocomplete_fields = ["person", "organization"]
    fields = ["person", "role", "title", "organization", "note"]


class ChildEventInline(admin.TabularInline):
    """The parts of a trip, read-only here: each is edited on its own page."""

    model = models.Event
    fk_name = "parent"
    verbose_name = "part of this event"
    verbose_name_plural = "parts of this event"
    extra = 0
    fields = ["title", "type", "start_date", "date_precision", "status"]
    readonly_fields = fields
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(models.Country)
class CountryAdmin(CatalogueAdmin):
    list_display = ["name", "code", "alpha3", "region", "subregion"]
    list_filter = ["region", "subregion"]
    search_fields = ["name", "code", "alpha3", "official_name", "aliases"]
    ordering = ["name"]


@admin.register(models.Source)
class SourceAdmin(CatalogueAdmin):
    list_display = ["title", "kind", "publisher", "published_on", "file_name"]
    list_filter = ["kind"]
    search_fields = ["title", "publisher", "author", "file_name"]
    prepopulated_fields = {"slug": ["title"]}
    date_hierarchy = "published_on"
    formfield_overrides = {db.URLField: {"assume_scheme": "https"}}


@admin.register(models.Organization)
class OrganizationAdmin(CatalogueAdmin):
    form = DuplicateWarningForm
    list_display = ["name", "acronym", "kind", "country", "parent", "event_count"]
    list_filter = ["kind", ("country", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name", "acronym", "aliases"]
    autocomplete_fields = ["country", "parent"]
    prepopulated_fields = {"slug": ["name"]}
    list_select_related = ["country", "parent"]
    inlines = [OrganizationCitationInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_event_count=Count("events", distinct=True))

    @admin.display(description="events", ordering="_event_count")
    def event_count(self, obj):
        return obj._event_count


@admin.register(models.Person)
class PersonAdmin(CatalogueAdmin):
    form = DuplicateWarningForm
    list_display = ["name", "native_name", "country", "event_count"]
    list_filter = [("country", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name", "native_name", "aliases"]
    autocomplete_fields = ["country"]
    prepopulated_fields = {"slug": ["name"]}
    list_select_related = ["country"]
    inlines = [PersonCitationInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_event_count=Count("events", distinct=True))

    @admin.display(description="events", ordering="_event_count")
    def event_count(self, obj):
        return obj._event_count


@admin.register(models.Programme)
class ProgrammeAdmin(CatalogueAdmin):
    list_display = ["name", "acronym", "kind", "start_year", "end_year", "event_count"]
    list_filter = ["kind"]
    search_fields = ["name", "acronym", "aliases", "description"]
    autocomplete_fields = ["parent", "lead_organizations", "countries"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [ProgrammeCitationInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_event_count=Count("events", distinct=True))

    @admin.display(description="events", ordering="_event_count")
    def event_count(self, obj):
        return obj._event_count


class HostCountryFilter(admin.SimpleListFilter):
    title = "host country"
    parameter_name = "host"

    def lookups(self, request, model_admin):
        hosts = models.Country.objects.filter(
            event_links__role=models.EventCountry.Role.HOST
        ).distinct()
        return [(country.code, country.name) for country in hosts]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(
                country_links__role=models.EventCountry.Role.HOST,
                country_links__country__code=self.value(),
            )
        return queryset


@admin.register(models.Event)
class EventAdmin(EventImportMixin, CatalogueAdmin):
    list_display = ["title", "status_display", "type", "date_display", "city", "parent"]
    list_filter = ["status", "type", "date_precision", HostCountryFilter, "programmes"]
    actions = ["publish", "make_draft"]
    search_fields = ["title", "description", "theme", "city", "slug"]
    date_hierarchy = "start_date"
    autocomplete_fields = ["parent", "programmes"]
    prepopulated_fields = {"slug": ["title"]}
    list_select_related = ["parent"]
    inlines = [
        EventCountryInline,
        EventOrganizationInline,
        EventPersonInline,
        EventCitationInline,
        ChildEventInline,
    ]
    fieldsets = [
        (None, {"fields": ["status", "title", "slug", "type", "parent", "programmes"]}),
        (
            "When and where",
            {
                "fields": [
                    ("start_date", "date_precision"),
                    ("end_date", "end_date_precision"),
                    ("city", "venue"),
                ]
            },
        ),
        ("What", {"fields": ["theme", "description"]}),
        (
            "Numbers as stated",
            {
                "fields": [
                    ("participants", "participants_is_minimum"),
                    ("participant_countries", "participant_countries_is_minimum"),
                ]
            },
        ),
        ("Editors", {"fields": ["editor_note"]}),
    ]

    @admin.display(description="date", ordering="start_date")
    def date_display(self, obj):
        return obj.date_display

    @admin.display(description="status", ordering="status")
    def status_display(self, obj):
        return format_html(
            '<span class="status status-{}">{}</span>', obj.status, obj.get_status_display()
        )

    def view_on_site(self, obj):
        # A draft has no public page yet.
        if obj.status == models.Event.Status.PUBLISHED:
            return obj.get_absolute_url()
        return None

    @admin.action(description="Publish the selected events", permissions=["change"])
    def publish(self, request, queryset):
        self._set_status(request, queryset, models.Event.Status.PUBLISHED)

    @admin.action(description="Make the selected events drafts", permissions=["change"])
    def make_draft(self, request, queryset):
        self._set_status(request, queryset, models.Event.Status.DRAFT)

    def _set_status(self, request, queryset, status):
        """Each event saved on its own (history, checks); those that cannot change are named
        with the reason, the others change. Passes repeat while one frees another: a trip is
        published before its parts, and parts become drafts before their trip."""
        pending, changed, refused = list(queryset.exclude(status=status).order_by("pk")), [], []
        while pending:
            refused = []
            for event in pending:
                event.status = status
                reason = event.publication_error()
                publishing = status == models.Event.Status.PUBLISHED
                cites = models.EventCitation.all_objects.filter(event=event)
                if not reason and publishing and not cites.exists():
                    reason = "It cites no source yet."
                if reason:
                    refused.append((event, reason))
                    continue
                event._change_reason = f"Status set to {event.get_status_display().lower()}"
                event.save(update_fields=["status", "updated_at"])
                changed.append(event)
            if len(refused) == len(pending):
                break
            pending = [event for event, _ in refused]
        word = models.Event.Status(status).label.lower()
        if changed:
            self.message_user(request, f"{len(changed)} event(s) set to {word}.")
        for event, reason in refused:
            self.message_user(
                request, f"“{event.title}” stays as it is: {reason}", level=messages.WARNING
            )


class LinkAdmin(CatalogueAdmin):
    """Links are edited inline on their event; here editors find them and their history."""

    list_select_related = ["event"]
    search_fields = ["event__title", "event__slug"]
    list_filter = ["role"]
    date_hierarchy = None

    def has_add_permission(self, request):
        return False


@admin.register(models.EventCountry)
class EventCountryAdmin(LinkAdmin):
    list_display = ["event", "country", "role"]
    list_select_related = ["event", "country"]
    autocomplete_fields = ["event", "country"]


@admin.register(models.EventOrganization)
class EventOrganizationAdmin(LinkAdmin):
    list_display = ["event", "organization", "role"]
    list_select_related = ["event", "organization"]
    autocomplete_fields = ["event", "organization"]


@admin.register(models.EventPerson)
class EventPersonAdmin(LinkAdmin):
    list_display = ["event", "person", "role", "title"]
    list_select_related = ["event", "person"]
    autocomplete_fields = ["event", "person", "organization"]
