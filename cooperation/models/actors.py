from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from simple_history.models import HistoricalRecords

from .base import SlugQuerySet, Timestamped, WithAliases, not_own_parent, parent_error
from .sources import Citation


class Organization(Timestamped, WithAliases):
    """A real body: ministry, agency, bank, university, company, NGO...

    One record however many spellings the sources use; the others are aliases.
    """

    class Kind(models.TextChoices):
        GOVERNMENT = "government", "Government body"
        LOCAL_GOVERNMENT = "local_government", "Local government"
        INTERGOVERNMENTAL = "intergovernmental", "Intergovernmental organization"
        UN_AGENCY = "un_agency", "UN agency"
        DEVELOPMENT_BANK = "development_bank", "Development bank"
        BILATERAL_AGENCY = "bilateral_agency", "Bilateral development agency"
        RESEARCH = "research", "University or research institute"
        NGO = "ngo", "Non-governmental organization"
        ENTERPRISE = "enterprise", "Enterprise"
        MEDIA = "media", "Media"
        OTHER = "other", "Other"

    slug = models.SlugField(max_length=120, unique=True)
    name = models.CharField(max_length=300, unique=True)
    acronym = models.CharField(max_length=30, blank=True, help_text="e.g. LGOP, IPRCC, UNDP.")
    kind = models.CharField(max_length=20, choices=Kind)
    # Countries are reference data: never deleted while anything points at them.
    country = models.ForeignKey(
        "Country",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="organizations",
        help_text="Where the body is based; empty for international bodies.",
    )
    # A parent cannot be deleted while it has departments on record.
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        help_text="The body it belongs to, where a source states it.",
    )
    description = models.TextField(blank=True, help_text="In the editors' own words.")

    objects = SlugQuerySet.as_manager()

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        constraints = [
            # A body that is part of itself could never be deleted (PROTECT on parent).
            # Longer cycles are refused by a trigger (migration 0008), not expressible here.
            models.CheckConstraint(
                condition=not_own_parent(),
                name="organization_not_own_parent",
                violation_error_message="An organization cannot be part of itself.",
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.acronym})" if self.acronym else self.name

    def clean(self):
        if message := parent_error(self):
            raise ValidationError({"parent": message})

    def natural_key(self):
        return (self.slug,)

    def get_absolute_url(self):
        return reverse("cooperation:organization-detail", args=[self.slug])


class Person(Timestamped, WithAliases):
    """A real person. Titles change, so the title held at an event is kept on the link."""

    slug = models.SlugField(max_length=120, unique=True)
    name = models.CharField(max_length=200, help_text="As commonly written in English.")
    native_name = models.CharField(
        max_length=200, blank=True, help_text="In the native script, e.g. 范小建."
    )
    # Countries are reference data: never deleted while anything points at them.
    country = models.ForeignKey(
        "Country",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="people",
        help_text="The country the person served or represented.",
    )
    description = models.TextField(blank=True, help_text="In the editors' own words.")

    objects = SlugQuerySet.as_manager()

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "people"
        indexes = [
            # People list sorted and searched by name.
            models.Index(fields=["name"], name="person_name_idx"),
        ]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.slug,)

    def get_absolute_url(self):
        return reverse("cooperation:person-detail", args=[self.slug])


class OrganizationCitation(Citation):
    record_field = "organization"
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="citations"
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["source", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "source", "locator"], name="organizationcitation_unique"
            )
        ]


class PersonCitation(Citation):
    record_field = "person"
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="citations")

    history = HistoricalRecords()

    class Meta:
        ordering = ["source", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "source", "locator"], name="personcitation_unique"
            )
        ]
