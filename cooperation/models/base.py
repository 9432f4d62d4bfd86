"""Pieces shared by every catalogue model."""

from django.db import models


class Timestamped(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class SlugQuerySet(models.QuerySet):
    """Records addressed by a slug: the slug is their natural key in fixtures."""

    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


def alias_lines(text: str) -> list[str]:
    """Aliases are stored one per line so editors can type them into a plain text box."""
    return [line.strip() for line in text.splitlines() if line.strip()]


class WithAliases(models.Model):
    aliases = models.TextField(
        blank=True,
        help_text="Other spellings found in sources or in common use, one per line. "
        "Searched like the name.",
    )

    class Meta:
        abstract = True

    @property
    def alias_list(self) -> list[str]:
        return alias_lines(self.aliases)
