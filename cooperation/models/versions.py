from django.db import models
from django.utils import timezone


class CatalogueVersion(models.Model):
    """One row: a number that grows with every committed change to a catalogue record, and
    when that change was made. ETags, Last-Modified headers and the data package's cache read
    it (cooperation/versions.py keeps it current)."""

    number = models.PositiveBigIntegerField(default=1)
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(id=1), name="one_catalogue_version")
        ]

    def __str__(self):
        return f"version {self.number} of {self.changed_at:%Y-%m-%d %H:%M:%S %Z}"
