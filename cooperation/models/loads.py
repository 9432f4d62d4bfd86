from django.db import models
from django.utils import timezone


class CatalogueLoad(models.Model):
    """A load of the curated catalogue that completed and was kept (a dry run or a failed load
    leaves no row). The newest row tells `load_catalogue` whether the fixtures changed since,
    so that an unchanged catalogue is not compared record by record on every start."""

    checksum = models.CharField(
        max_length=64,
        help_text="SHA-256 over the fixture files (names and bytes, in load order) and the "
        "cooperation migrations applied at the time.",
    )
    files = models.TextField(help_text="The fixture files loaded, comma-separated, in order.")
    loaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-loaded_at", "-id"]

    def __str__(self):
        return f"{self.files} loaded at {self.loaded_at:%Y-%m-%d %H:%M:%S %Z}"
