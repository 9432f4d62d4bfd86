import re

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
    text = models.TextField(
        blank=True,
        help_text="The document's full text, line for line. Each non-blank line is a paragraph, "
        "numbered from 1 as the citations' locators count them (¶N).",
    )

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

    def paragraphs(self) -> list[tuple[int, str]]:
        return split_paragraphs(self.text)


def split_paragraphs(text: str) -> list[tuple[int, str]]:
    """The text's paragraphs, numbered as the locators count them: every line holding more
    than spaces and tabs, from 1 (the count of `awk 'NF'`, docs/curation.md, Locators). A line
    of only a non-breaking space is a paragraph too, as awk counts it."""
    lines = (line for line in text.split("\n") if line.strip(" \t"))
    return [(number, line.strip()) for number, line in enumerate(lines, start=1)]


# "¶24", "¶88–117" (en dash; a hyphen is accepted too), with or without a space after ¶.
PARAGRAPHS = re.compile(r"¶\s*(\d+)(?:\s*[–-]\s*(\d+))?")


def cited_paragraphs(locator: str) -> range | None:
    """The paragraphs a locator names, or None when it names none (a heading alone).

    "International Exchanges > Reception activities, ¶24" names 24; "¶88–117" names 88 to 117.
    Where a locator names several, the first one counts: a citation is one place.
    """
    match = PARAGRAPHS.search(locator)
    if not match:
        return None
    first = int(match[1])
    last = int(match[2]) if match[2] else first
    return range(first, max(first, last) + 1)


class CitationQuerySet(models.QuerySet):
    def with_sources(self):
        """Each citation with its source, but not the source's full text: the record pages
        show only the source's title."""
        return self.select_related("source").defer("source__text")

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
        help_text="Where a reader finds the fact: the paragraph of the source's text as its page "
        'numbers them, after a section heading if the document has them: "¶24", "¶88–117", '
        '"International Exchanges > Visits, ¶10". The link goes to the first paragraph named.',
    )
    note = models.CharField(max_length=300, blank=True)

    objects = CitationQuerySet.as_manager()

    class Meta:
        abstract = True

    def __str__(self):
        return f"{self.source} — {self.locator}"

    def get_absolute_url(self):
        """The source page at the cited paragraph, or at its top when no paragraph is named."""
        url = self.source.get_absolute_url()
        paragraphs = self.paragraphs
        return f"{url}#p{paragraphs.start}" if paragraphs else url

    def natural_key(self):
        record = getattr(self, self.record_field)
        return (record.slug, self.source.slug, self.locator)

    @property
    def paragraphs(self) -> range | None:
        return cited_paragraphs(self.locator)

    @property
    def record(self):
        return getattr(self, self.record_field)

    @property
    def record_kind(self) -> str:
        """The cited record's model: event, programme, organization or person."""
        return self.record_field
