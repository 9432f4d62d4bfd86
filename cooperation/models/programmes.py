from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from .base import (
    SUPPORTED_YEARS,
    YEARS_MESSAGE,
    SlugQuerySet,
    Timestamped,
    WithAliases,
    not_own_parent,
    parent_error,
    within_supported_years,
)
from .sources import Citation


class Programme(Timestamped, WithAliases):
    """A named series, project, fund or initiative that events belong to."""

    class Kind(models.TextChoices):
        TRAINING_PROGRAMME = "training_programme", "Training programme"
        FORUM_SERIES = "forum_series", "Forum or conference series"
        PROJECT = "project", "Project"
        DEMONSTRATION_PROJECT = "demonstration_project", "Demonstration project"
        LOAN_PROJECT = "loan_project", "Loan project"
        FUND = "fund", "Fund"
        INITIATIVE = "initiative", "Initiative"
        AGREEMENT = "agreement", "Cooperation agreement or action plan"
        OTHER = "other", "Other"

    slug = models.SlugField(max_length=120, unique=True)
    name = models.CharField(max_length=300, unique=True)
    acronym = models.CharField(max_length=30, blank=True)
    kind = models.CharField(max_length=30, choices=Kind)
    description = models.TextField(blank=True, help_text="In the editors' own words.")
    start_year = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=SUPPORTED_YEARS,
        help_text="First year the sources place it in, if known.",
    )
    end_year = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=SUPPORTED_YEARS,
        help_text="Last year, if it has ended or is planned to.",
    )
    # A parent cannot be deleted while sub-programmes point at it.
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    lead_organizations = models.ManyToManyField(
        "Organization", blank=True, related_name="led_programmes"
    )
    countries = models.ManyToManyField(
        "Country", blank=True, related_name="programmes", help_text="Countries it works in."
    )

    objects = SlugQuerySet.as_manager()

    history = HistoricalRecords(m2m_fields=[lead_organizations, countries])

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_year__isnull=True)
                | Q(start_year__isnull=True)
                | Q(end_year__gte=F("start_year")),
                name="programme_end_year_not_before_start",
                violation_error_message="The end year cannot be before the start year.",
            ),
            # The programme pages show these years beside the events' own.
            models.CheckConstraint(
                condition=within_supported_years("start_year", dates=False),
                name="programme_start_year_in_supported_years",
                violation_error_message=YEARS_MESSAGE,
            ),
            models.CheckConstraint(
                condition=within_supported_years("end_year", dates=False),
                name="programme_end_year_in_supported_years",
                violation_error_message=YEARS_MESSAGE,
            ),
            # A programme that is part of itself could never be deleted (PROTECT on parent).
            # Longer cycles are refused by a trigger (migration 0008), not expressible here.
            models.CheckConstraint(
                condition=not_own_parent(),
                name="programme_not_own_parent",
                violation_error_message="A programme cannot be part of itself.",
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        if message := parent_error(self):
            raise ValidationError({"parent": message})

    def natural_key(self):
        return (self.slug,)

    def get_absolute_url(self):
        return reverse("cooperation:programme-detail", args=[self.slug])

    @property
    def years_display(self) -> str:
        if self.start_year and self.end_year:
            if self.start_year == self.end_year:
                return str(self.start_year)
            return f"{self.start_year}–{self.end_year}"
        if self.start_year:
            return f"from {self.start_year}"
        if self.end_year:
            return f"until {self.end_year}"
        return ""


class ProgrammeCitation(Citation):
    record_field = "programme"
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="citations")

    history = HistoricalRecords()

    class Meta:
        ordering = ["source", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "source", "locator"], name="programmecitation_unique"
            )
        ]
