"""What each list offers, declared once: its query parameters, their words, facets and sorts.

A FilterSet per list declares every parameter with its label, help text, how its value is
parsed and validated, the query it adds (`field_name`/`lookup_expr`, or a link-table semijoin
for events) and how it reads in words (`phrase`). Everything else reads these declarations:
the filter form, the chips and the page title, export file names, cache keys, canonical
query strings, facet links, docs/csv.md's parameter tables and the generated contract tests.

Repeating a parameter means "any of these" (OR); different parameters are AND-ed. The `and_`
parameters (`and_country`, `and_year`, `and_programme`) mean "and also": every value must
match. Facet links use them, so that clicking a facet value narrows the result to exactly the
count shown beside it.
"""

from .base import CatalogueFilterSet
from .events import EVENT_SORTS, TYPE_PLURALS, YEAR_FACET, EventFilter, YearFilter, plural_type
from .params import (
    DateFilter,
    Facet,
    Param,
    RecordsFilter,
    Sort,
    SortFilter,
    TextFilter,
    YearsFilter,
)
from .records import (
    CountryFilter,
    OrganizationFilter,
    PersonFilter,
    ProgrammeFilter,
    SourceFilter,
)

__all__ = [
    "EVENT_SORTS",
    "TYPE_PLURALS",
    "YEAR_FACET",
    "CatalogueFilterSet",
    "CountryFilter",
    "DateFilter",
    "EventFilter",
    "Facet",
    "OrganizationFilter",
    "Param",
    "PersonFilter",
    "ProgrammeFilter",
    "RecordsFilter",
    "Sort",
    "SortFilter",
    "SourceFilter",
    "TextFilter",
    "YearFilter",
    "YearsFilter",
    "plural_type",
]
