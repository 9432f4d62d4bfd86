from django.db import models
from django.urls import reverse
from simple_history.models import HistoricalRecords

from .base import SUPPORTED_DATES, YEARS_MESSAGE, SlugQuerySet, Timestamped, within_supported_years


class Source(Timestamped):
    """A document the catalogue is built from. Every record cites at least one."""

    class Kind(models.TextChoices):
        NEWS_ARTICLE = "news_article", "News article"
        TRANSCRIPT = "transcript", "Documentary transcript"
        YEARBOOK = "yearbook", "Yearbook chapter"
        REPORT = "report", "Report"
        WEB_PAGE = "web_page", "Web page"
        OTHER = "other", "Other"

    slug = models.SlugField(max_length=80, unique=True)
    title = models.CharField(max_length=300)
    kind = models.CharField(max_length=20, choices=Kind)
    publisher = models.CharField(
        max_length=200, blank=True, help_text="As the document gives it; empty when not stated."
    )
    author = models.CharField(
        max_length=200, blank=True, help_text="Byline as given, e.g. reporter and editor."
    )
    published_on = models.DateField(
        null=True,
        blank=True,
        validators=SUPPORTED_DATES,
        help_text="Date the document carries; empty when it has none.",
    )
    date_note = models.CharField(
        max_length=200,
        blank=True,
        help_text='How the document states its date, e.g. "Updated: September 11, 2023".',
    )
    url = models.URLField("URL", blank=True)
    file_name = models.CharField(
        max_length=100, blank=True, help_text="File in the seed collection, if any."
    )
    notes = models.TextField(blank=True, help_text="What is known about the document.")

    objects = SlugQuerySet.as_manager()

    history = HistoricalRecords()

    class Meta:
        ordering = ["title"]
        constraints = [
            # The source pages and the CSV show this date; the admin groups sources by its year.
            models.CheckConstraint(
                condition=within_supported_years("published_on", dates=True),
                name="source_published_on_in_supported_years",
                violation_error_message=YEARS_MESSAGE,
            ),
        ]

    def __str__(self):
        return self.title

    def natural_key(self):
        return (self.slug,)

    def get_absolute_url(self):
        return reverse("cooperation:source-detail", args=[self.slug])


class CitationQuerySet(models.QuerySet):
    def get_by_natural_key(self, record_slug, source_slug, locator):
        return self.get(
            **{f"{self.model.record_field}__slug": record_slug},
            source__slug=source_slug,
            locator=locator,
        )


class Citation(models.Model):
    """Where in a source a record's facts are found. Concrete per cited model."""

    record_field = ""  # name of the foreign key to the cited record, set by subclasses

    # A source that records cite cannot vanish from under them.
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="+")
    locator = models.CharField(
        max_length=300,
        help_text="Where a reader finds the fact: section heading and item, or paragraph, e.g. "
        '"International Exchanges > Visits, para. 3".',
    )
    note = models.CharField(max_length=300, blank=True)

    objects = CitationQuerySet.as_manager()

    class Meta:
        abstract = True

    def __str__(self):
        return f"{self.source} — {self.locator}"

    def natural_key(self):
        record = getattr(self, self.record_field)
        return (record.slug, self.source.slug, self.locator)
