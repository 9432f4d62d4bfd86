"""Events CSV exports over HTTP against PostgreSQL's own COPY of the same SELECT.

    python bench/export_ratio.py \
        --database-url postgres://postgres@127.0.0.1:5432/catalogue_bench_1000000 \
        [--rounds 2] ["country=kh&year=2012" "type=training" "" "country=cn"]

For each query string: one COPY of the export's SELECT over every matching event in one
statement (bench/copy_sql.py's floor, filtered), then the export through gunicorn with the
production settings (bench/serve.py), alternately, `--rounds` times; the best of each, their
ratio, and the export's time to its first byte. Both give the same bytes (checked). Last, the
peak memory of the one gunicorn worker that served every export.
The database must hold the synthetic catalogue (`make bench` creates it).
"""

import argparse
import json
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# The quick ones first: a long run cut short (ten million events: about 45 minutes) keeps them.
QUERIES = ["country=kh&year=2012", "type=training", "", "country=cn"]


def copy_seconds(query: str, base: str) -> tuple[float, int]:
    from django.db import connection
    from django.http import QueryDict

    from cooperation.exports_sql import copy_statement
    from cooperation.lists import EVENTS

    filterset = EVENTS.filter(QueryDict(query))
    assert filterset.is_valid(), filterset.errors
    statement, params = copy_statement(EVENTS.columns, filterset.qs, filterset.sort().key, base)
    started, size = time.perf_counter(), 0
    with connection.cursor() as cursor, cursor.connection.cursor().copy(statement, params) as copy:
        for block in copy:
            size += len(block)
    return time.perf_counter() - started, size


def http_seconds(base: str, query: str) -> tuple[float, float, int]:
    started = time.perf_counter()
    with urllib.request.urlopen(f"{base}/events/export.csv?{query}", timeout=3600) as response:
        size = len(response.read(1))
        first_byte = time.perf_counter() - started
        while block := response.read(1 << 20):
            size += len(block)
    return first_byte, time.perf_counter() - started, size


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--json", type=Path, help="Write the rows as JSON here too.")
    parser.add_argument("queries", nargs="*", default=QUERIES)
    args = parser.parse_args()

    from bench.run import peak_memory_mb, setup

    setup(args.database_url)
    from bench.serve import gunicorn

    print("| export | COPY s | export s | ratio | first byte s | bytes |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    rows = []
    pid_file = Path(tempfile.mkdtemp(prefix="bench-gunicorn-")) / "pid"
    with gunicorn(args.database_url, workers=1, pid_file=pid_file) as base:
        http_seconds(base, "country=kh&year=2012")  # the worker's first request
        for query in args.queries:
            copies, exports = [], []
            for _ in range(args.rounds):
                copies.append(copy_seconds(query, base))
                exports.append(http_seconds(base, query))
            copy, copy_size = min(copies)
            first_byte = min(first for first, _, _ in exports)
            total, size = min((total, size) for _, total, size in exports)
            assert size == copy_size, (query, size, copy_size)
            rows.append(
                {"export": query or "all events", "copy_seconds": round(copy, 2),
                 "export_seconds": round(total, 2), "ratio": round(total / copy, 2),
                 "first_byte_seconds": round(first_byte, 2), "bytes": size}
            )  # fmt: skip
            print(
                f"| {query or 'all events'} | {copy:.2f} | {total:.2f} | {total / copy:.2f} "
                f"| {first_byte:.2f} | {size:,} |",
                flush=True,
            )
            if args.json:  # each row as soon as it is measured: a long run cut short keeps them
                args.json.write_text(json.dumps(rows, indent=1) + "\n")
        master = int(pid_file.read_text())
        with open(f"/proc/{master}/task/{master}/children") as handle:
            (worker,) = [int(pid) for pid in handle.read().split()]
        memory = peak_memory_mb(worker)
    print(f"Peak memory of the gunicorn worker: {memory} MB")
    for row in rows:
        row["worker_peak_memory_mb"] = memory
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1) + "\n")


if __name__ == "__main__":
    main()
