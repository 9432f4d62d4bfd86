"""Skip markers for tests that need PostgreSQL, decided at collection (before any fixture)."""

import pytest
from django.conf import settings


def postgresql_only(reason: str):
    return pytest.mark.skipif(
        settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql", reason=reason
    )
