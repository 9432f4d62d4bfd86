"""Finishing touches on the generated OpenAPI document (drf-spectacular post-processing)."""

from ..lists import LISTS
from ..middleware import MAX_URL_LENGTH

FIELDS_NOTE = "Every field is present unless `fields` leaves it out."


def optional_fields(result, generator, request, public):
    """A record's fields are all there, except those `fields=` leaves out: the document
    cannot mark them required."""
    schemas = result.get("components", {}).get("schemas", {})
    for catalogue_list in LISTS.values():
        name = catalogue_list.serializer.__name__.removesuffix("Serializer")
        schema = schemas.get(name)
        if schema is not None:
            schema.pop("required", None)
            schema["description"] = f"{schema.get('description', '')} {FIELDS_NOTE}".strip()
    return result


def long_addresses(result, generator, request, public):
    """Every operation may answer 414: the site refuses addresses longer than it reads
    (cooperation/middleware.py), before any view runs."""
    problems = {"$ref": "#/components/schemas/Problems"}
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            operation.setdefault("responses", {})["414"] = {
                "description": f"The address (path and query string) is longer than "
                f"{MAX_URL_LENGTH:,} characters.",
                "content": {"application/json": {"schema": problems}},
            }
    return result
