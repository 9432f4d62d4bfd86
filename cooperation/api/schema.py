"""Finishing touches on the generated OpenAPI document (drf-spectacular post-processing)."""

from ..lists import LISTS

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
