from django.db import models
from django.urls import reverse
from simple_history.models import HistoricalRecords

from .base import WithAliases, get_by_key


class CountryQuerySet(models.QuerySet):
    def get_by_natural_key(self, code):
        return get_by_key(self, code=code)


class Country(WithAliases):
    """An ISO 3166-1 country. All 249 are loaded, not only those the sources mention."""

    code = models.CharField(
        "ISO alpha-2", max_length=2, unique=True, help_text="ISO 3166-1 alpha-2, upper case."
    )
    alpha3 = models.CharField("ISO alpha-3", max_length=3, unique=True)
    numeric = models.CharField("ISO numeric", max_length=3, unique=True)
    name = models.CharField(
        max_length=100,
        unique=True,
        help_text='Common English short name, e.g. "Tanzania", "Laos", "South Korea".',
    )
    official_name = models.CharField(max_length=200, blank=True)
    region = models.CharField(
        max_length=20, blank=True, help_text="UN M49 region (Africa, Americas, Asia, ...)."
    )
    subregion = models.CharField(max_length=50, blank=True, help_text="UN M49 sub-region.")

    objects = CountryQuerySet.as_manager()

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "countries"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(code__regex=r"^[A-Z]{2}$"), name="country_code_is_alpha2"
            ),
        ]
        indexes = [
            # Region filter on the events list and the countries list.
            models.Index(fields=["region"], name="country_region_idx"),
        ]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.code,)

    def get_absolute_url(self):
        return reverse("cooperation:country-detail", args=[self.code.lower()])
