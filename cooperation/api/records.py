"""Records as the API writes them, for its pages and for the JSON exports: what each list's
records need beside their own fields (links, event counts), and the whole of a list as one
streamed JSON array of the same objects."""

import json
from collections.abc import Iterator

from .. import counters, pagination, summaries
from ..exports import Tally, snapshot
from ..lists import CatalogueList, with_event_counts
from ..pagination import window

BATCH_SIZE = 500


def release(catalogue_list: CatalogueList, records) -> None:
    """Drop the links prefetched onto each record (pagination.release), once it is written."""
    pagination.release(records, catalogue_list.serializer.lookups())


def prefetch(catalogue_list: CatalogueList, queryset, fields=None):
    """The queryset with what the chosen fields read (all by default), a fixed number of
    queries a page."""
    return catalogue_list.serializer.prefetch(queryset, fields)


def batches(catalogue_list: CatalogueList, filterset, base: str, fields=None):
    """(number, batches): how many records the filters choose, and those records in the
    list's order a batch at a time: keyset windows for a sort by a field, a ranking (ids and
    counts, read once) for a count sort. The number is read at once, the batches as they are
    iterated: in one snapshot, both agree. The events' number comes from their counter where
    one is kept (cooperation/counters.py), else from a COUNT."""
    if catalogue_list.rows is not None:
        rows = list(catalogue_list.rows(filterset, base))
        return len(rows), iter([rows])
    queryset = filterset.qs
    sort = filterset.sort()
    if sort.key is not None:
        number = counters.count(filterset, queryset.db)  # events, simply filtered: at once
        if number is None:
            number = queryset.count()
        return number, keyset_batches(catalogue_list, queryset, sort.key, fields)
    ranking = list(queryset.values_list("pk", "n"))
    return len(ranking), ranked_batches(catalogue_list, ranking, fields)


def keyset_batches(catalogue_list: CatalogueList, queryset, key, fields) -> Iterator[list]:
    after = None
    while True:
        page = window(prefetch(catalogue_list, queryset, fields), key, after=after,
                      size=BATCH_SIZE)  # fmt: skip
        if page.rows:
            yield with_event_counts(catalogue_list, page.rows)
        if not page.has_next:
            return
        after = page.next_token


def ranked_batches(catalogue_list: CatalogueList, ranking, fields) -> Iterator[list]:
    for start in range(0, len(ranking), BATCH_SIZE):
        chosen = ranking[start : start + BATCH_SIZE]
        records = summaries.with_counts(prefetch(catalogue_list, catalogue_list.queryset()), chosen)
        yield with_event_counts(catalogue_list, records)


def json_export(
    catalogue_list: CatalogueList, filterset, base: str, fields, tally: Tally | None = None
) -> Iterator[str]:
    """The whole list as one JSON array of the API's objects, read in one snapshot, their
    number (counted in it before the first chunk) in `tally`. Only a complete download
    parses: the closing bracket comes last."""
    context = {"base": base, "fields": fields}
    with snapshot(filterset.qs.db):
        number, records = batches(catalogue_list, filterset, base, fields)
        if tally is not None:
            tally.records = number
        yield "["
        first = True
        for batch in records:
            data = catalogue_list.serializer(batch, many=True, context=context).data
            release(catalogue_list, batch)
            for record in data:
                yield ("\n" if first else ",\n") + json.dumps(record, ensure_ascii=False)
                first = False
        yield "\n]\n"
