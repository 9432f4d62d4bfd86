"""Records as the API writes them, for its pages and for the JSON exports: what each list's
records need beside their own fields (links, event counts), and the whole of a list as one
streamed JSON array of the same objects."""

import json
from collections.abc import Iterator

from .. import summaries
from ..exports import snapshot
from ..lists import COUNTRIES, EVENTS, YEARS, CatalogueList
from ..pagination import window

BATCH_SIZE = 500


def prefetch(catalogue_list: CatalogueList, queryset, fields=None):
    """The queryset with what the chosen fields read (all by default), a fixed number of
    queries a page."""
    return catalogue_list.serializer.prefetch(queryset, fields)


def counted(catalogue_list: CatalogueList, records) -> list:
    """Each record with its number of events (`n`), as the list's "-events" sort counts them;
    countries with what they hosted and took part in (cached, as the countries page shows
    them: null while too slow to count). A record ranked by a count sort keeps that count."""
    records = list(records)
    if catalogue_list in (EVENTS, YEARS) or not records:
        return records
    if catalogue_list is COUNTRIES:
        counts = summaries.country_event_counts()
        for record in records:
            hosted, taken = (counts or {}).get(record.pk, (0, 0))
            known = counts is not None
            record.events_hosted = hosted if known else None
            record.events_taken_part = taken if known else None
            if not hasattr(record, "n"):
                record.n = hosted + taken if known else None
        return records
    missing = [record.pk for record in records if not hasattr(record, "n")]
    if missing:
        by_events = catalogue_list.filterset.base_filters["sort"].sorts["-events"]
        counts = dict(
            catalogue_list.model.objects.filter(pk__in=missing)
            .annotate(n=by_events.count)
            .values_list("pk", "n")
        )
        for record in records:
            if not hasattr(record, "n"):
                record.n = counts.get(record.pk, 0)
    return records


def batches(catalogue_list: CatalogueList, filterset, base: str, fields=None) -> Iterator[list]:
    """Every record the filters choose, in the list's order, a batch at a time: keyset
    windows for a sort by a field, a ranking (ids and counts, read once) for a count sort."""
    if catalogue_list.rows is not None:
        yield list(catalogue_list.rows(filterset, base))
        return
    queryset = filterset.qs
    sort = filterset.sort()
    if sort.key is not None:
        after = None
        while True:
            page = window(prefetch(catalogue_list, queryset, fields), sort.key, after=after,
                          size=BATCH_SIZE)  # fmt: skip
            if page.rows:
                yield counted(catalogue_list, page.rows)
            if not page.has_next:
                return
            after = page.next_token
    ranking = list(queryset.values_list("pk", "n"))
    for start in range(0, len(ranking), BATCH_SIZE):
        chosen = ranking[start : start + BATCH_SIZE]
        records = summaries.with_counts(prefetch(catalogue_list, catalogue_list.queryset()), chosen)
        yield counted(catalogue_list, records)


def json_export(catalogue_list: CatalogueList, filterset, base: str, fields) -> Iterator[str]:
    """The whole list as one JSON array of the API's objects, read in one snapshot. Only a
    complete download parses: the closing bracket comes last."""
    context = {"base": base, "fields": fields}
    using = filterset.qs.db
    yield "["
    first = True
    with snapshot(using):
        for batch in batches(catalogue_list, filterset, base, fields):
            for record in catalogue_list.serializer(batch, many=True, context=context).data:
                yield ("\n" if first else ",\n") + json.dumps(record, ensure_ascii=False)
                first = False
    yield "\n]\n"
