"""Page and export benchmarks, measured server-side.

    python bench/run.py \
        --database-url postgres://postgres@127.0.0.1:5432/catalogue_bench_1000000 \
        --events 1000000 [--synthesize] [--repeat 30] [--json FILE] [--markdown FILE]

`make bench` runs this on PostgreSQL at 100,000 and 1,000,000 events, one database per size;
the database is created, migrated and filled (`synthesize`, seed 1) when it does not hold that
many events yet.

Each page is requested in-process through Django's test client (the whole request: URL
routing, filters, queries, template; no network), after a warm-up, `--repeat` times; the
table gives the median and 95th percentile and the SQL queries per request. The full CSV
export runs in a separate process so that its peak memory is its own, and PostgreSQL's own
COPY of the same columns is timed in the same run: their ratio is the headline figure.

Nothing here is part of the test suite: it needs a large database and minutes of machine time.
"""

import argparse
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def setup(database_url):
    if database_url.startswith("postgres"):
        from bench.serve import create_database

        create_database(database_url.rsplit("/", 1)[1])
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
    import django

    django.setup()


def percentile(values, fraction):
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def measure(client, url, repeat, warmup=3):
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    for _ in range(warmup):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    reset_queries()
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    return {
        "median_ms": round(statistics.median(times), 1),
        "p95_ms": round(percentile(times, 0.95), 1),
        "queries": len(queries),
    }


def cold(client, url):
    """One request with the summary caches emptied first: the worst case a visitor meets."""
    from django.core.cache import caches
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for summaries in caches.all(initialized_only=False):
        summaries.clear()
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        response = client.get(url)
        elapsed = (time.perf_counter() - started) * 1000
    assert response.status_code == 200, (url, response.status_code)
    return {"ms": round(elapsed, 1), "queries": len(queries)}


def scenarios():
    """(name, url, goal) for every page the issue names, with parameters from the data."""
    from django.db.models import Count

    from cooperation.models import Event, EventCountry, Organization, Person, Programme
    from cooperation.pagination import encode

    counts = list(
        EventCountry.objects.filter(role="host")
        .values_list("country__code")
        .annotate(n=Count("id"))
        .order_by("-n")[:10]
    )
    busiest = counts[0][0].lower()
    typical = counts[min(5, len(counts) - 1)][0].lower()
    total = Event.objects.count()
    depth = min(250_000, total * 3 // 4)  # page 10,000 at 25 a page, or 3/4 of the way down
    deep = (
        Event.objects.order_by("-start_date", "-id")
        .values_list("start_date", "id")[depth : depth + 1]
        .first()
    )
    deep_token = encode(*deep) if deep else ""
    event = Event.objects.order_by("id").values_list("slug", flat=True)[total // 2]
    programme = Programme.objects.order_by("id").values_list("slug", flat=True).first()
    organization = (
        Organization.objects.annotate(n=Count("events"))
        .order_by("-n")
        .values_list("slug", flat=True)
        .first()
    )
    person = Person.objects.order_by("id").values_list("slug", flat=True).first()
    lists, details = (150, 300), (50, None)
    return [
        ("Events, first page, unfiltered", "/events/", lists),
        (f"Events by one country ({typical.upper()})", f"/events/?country={typical}", lists),
        (
            f"Events by the busiest country ({busiest.upper()})",
            f"/events/?country={busiest}",
            lists,
        ),
        ("Events by year (2012)", "/events/?year=2012", lists),
        (
            f"Events by country and year ({typical.upper()}, 2012)",
            f"/events/?country={typical}&year=2012",
            lists,
        ),
        ("Events by type (training)", "/events/?type=training", lists),
        ("Events, free-text search (mushroom)", "/events/?q=mushroom", lists),
        (f"Events, deep page ({depth:,} rows in, keyset)", f"/events/?after={deep_token}", lists),
        ("Events, page 400 (numbered, offset)", "/events/?page=400", lists),
        ("Event detail", f"/events/{event}/", details),
        (f"Country detail ({typical.upper()})", f"/countries/{typical}/", details),
        (f"Country detail ({busiest.upper()}, busiest)", f"/countries/{busiest}/", details),
        ("Programme detail", f"/programmes/{programme}/", details),
        ("Organization detail (most events)", f"/organizations/{organization}/", details),
        ("Person detail", f"/people/{person}/", details),
        ("Home page", "/", details),
        ("Countries list", "/countries/", lists),
        ("Organizations list, by events", "/organizations/?sort=-events", lists),
        # The read API (issue 12): the same goals as the pages.
        ("API: events, first page (50)", "/api/events/", lists),
        (f"API: events by one country ({typical.upper()})", f"/api/events/?country={typical}",
         lists),
        (f"API: events by the busiest country ({busiest.upper()})",
         f"/api/events/?country={busiest}", lists),
        (f"API: events by country and year ({typical.upper()}, 2012)",
         f"/api/events/?country={typical}&year=2012", lists),
        ("API: events, free-text search (mushroom)", "/api/events/?q=mushroom", lists),
        (f"API: events, deep page ({depth:,} rows in)", f"/api/events/?after={deep_token}",
         lists),
        ("API: events, 200 a page (the maximum)", "/api/events/?page_size=200", lists),
        ("API: organizations by events", "/api/organizations/?sort=-events", lists),
        ("API: years", "/api/years/", lists),
        ("API: event record", f"/api/events/{event}/", details),
        (f"API: country record ({busiest.upper()})", f"/api/countries/{busiest}/", details),
        ("API: organization record (most events)", f"/api/organizations/{organization}/",
         details),
        ("API: person record", f"/api/people/{person}/", details),
    ]  # fmt: skip


def settle(timeout=600):
    """Seconds spent waiting for a quiet server before measuring: PostgreSQL's dirty pages
    written (CHECKPOINT) and the kernel's (sync), then no autovacuum running on any database.
    After a large synthesis both go on for many minutes, reading and writing gigabytes under
    whatever is measured meanwhile."""
    from django.db import connection

    started = time.monotonic()
    if connection.vendor != "postgresql":
        return 0.0
    with connection.cursor() as cursor:
        cursor.execute("CHECKPOINT")
        os.sync()
        while time.monotonic() - started < timeout:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'autovacuum worker'"
            )
            if cursor.fetchone()[0] == 0:
                break
            time.sleep(5)
    return round(time.monotonic() - started, 1)


def quiet_database(timeout=120):
    """Wait until no other session runs a query on this database: a stopped worker's query
    (a summary computed outside a request) runs on in PostgreSQL to its end."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND state = 'active' AND pid <> pg_backend_pid()"
            )
            if cursor.fetchone()[0] == 0:
                return
            time.sleep(0.2)


def pages_over_http(database_url, repeat, only=""):
    """Every scenario through gunicorn (production configuration, one worker), requested in
    turn by a client on loopback after a warm-up: the median and 95th percentile a visitor
    meets, network stack, WSGI and WhiteNoise included. Then cold starts: for each list page, a
    new gunicorn and empty summary caches, and the first request's time."""
    import urllib.request

    from django.core.cache import caches

    from bench.serve import gunicorn

    def get(url):
        started = time.perf_counter()
        with urllib.request.urlopen(url, timeout=60) as response:
            response.read()
            assert response.status == 200, (url, response.status)
        return (time.perf_counter() - started) * 1000

    chosen = [(name, url) for name, url, _ in scenarios() if only in name]
    warm = []
    with gunicorn(database_url, workers=1) as base:
        for name, url in chosen:
            for _ in range(3):
                get(base + url)
            times = [get(base + url) for _ in range(repeat)]
            warm.append(
                {
                    "page": name,
                    "median_ms": round(statistics.median(times), 1),
                    "p95_ms": round(percentile(times, 0.95), 1),
                }
            )
            print(f"HTTP {name:50} median {warm[-1]['median_ms']:8.1f} p95 "
                  f"{warm[-1]['p95_ms']:8.1f}", flush=True)  # fmt: skip
    cold = []
    for name, url in chosen:
        if not url.startswith(("/events/?", "/api/events/?")) and url not in {"/", "/events/"}:
            continue
        quiet_database()  # the previous page's work outside its request, still running
        for summaries in caches.all(initialized_only=False):
            summaries.clear()
        with gunicorn(database_url, workers=1, probe="/static/favicon.svg") as base:
            ms = get(base + url)
        cold.append({"page": name, "ms": round(ms, 1)})
        print(f"HTTP cold {name:45} {ms:8.1f} ms", flush=True)
    return {"warm": warm, "cold": cold}


def export_in_subprocess(database_url):
    """The full CSV export in its own process: time to first byte, total, peak memory."""
    script = ROOT / "bench" / "export_once.py"
    result = subprocess.run(
        [sys.executable, str(script), database_url],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    return json.loads(result.stdout.splitlines()[-1])


def peak_memory_mb(pid: int) -> float:
    """The process's peak resident memory (VmHWM), from /proc."""
    with open(f"/proc/{pid}/status") as handle:
        line = next(line for line in handle if line.startswith("VmHWM:"))
    return round(int(line.split()[1]) / 1024, 1)


def export_over_http(database_url):
    """The full CSV through gunicorn with the production configuration, read by an HTTP client
    in this process: what a user downloading it waits for, and the worker's peak memory."""
    import tempfile
    import urllib.request

    from bench.serve import gunicorn

    pid_file = Path(tempfile.mkdtemp(prefix="bench-gunicorn-")) / "pid"
    with gunicorn(database_url, workers=1, pid_file=pid_file) as base:
        master = int(pid_file.read_text())
        started = time.perf_counter()
        with urllib.request.urlopen(base + "/events/export.csv", timeout=3600) as response:
            size = len(response.read(1))
            first_byte = time.perf_counter() - started
            while block := response.read(1 << 20):
                size += len(block)
        total = time.perf_counter() - started
        with open(f"/proc/{master}/task/{master}/children") as handle:
            workers = [int(pid) for pid in handle.read().split()]
        peak = max(peak_memory_mb(pid) for pid in workers)
    return {
        "first_byte_seconds": round(first_byte, 3),
        "total_seconds": round(total, 2),
        "peak_memory_mb": peak,
        "bytes": size,
    }


def copy_time():
    """PostgreSQL's own COPY of the same columns, to /dev/null: the floor for an export."""
    from django.db import connection

    from bench.copy_sql import copy_statement

    statement, params = copy_statement()
    started = time.perf_counter()
    size = 0
    with (
        connection.cursor() as cursor,
        cursor.connection.cursor().copy(statement, params) as copy,
    ):
        for block in copy:
            size += len(block)
    return {"seconds": round(time.perf_counter() - started, 2), "bytes": size}


def shown_counts(client):
    """For every events list of the scenarios, the count the page or the API shows against a
    COUNT of the same filters: an exact count must equal it, a lower bound ("more than N")
    must not exceed it, "many" says nothing. Run after the pages, whose exact counts made
    outside the requests may have finished since (the number shown first is in "cold")."""
    from django.http import QueryDict

    from cooperation.lists import EVENTS

    rows = []
    for name, url, _ in scenarios():
        path, _, query = url.partition("?")
        if path not in {"/events/", "/api/events/"}:
            continue
        response = client.get(url)
        if path == "/api/events/":
            body = response.json()
            value, exact = body["count"], not body["count_is_minimum"]
        else:  # "<strong>2,433</strong>", "<strong>more than 10,000</strong>", "many"
            words = re.search(
                r'class="result-count"[^>]*><strong>([^<]*)</strong>', response.content.decode()
            ).group(1)
            exact = not words.startswith(("more than", "many"))
            digits = re.sub(r"\D", "", words)
            value = int(digits) if digits else None
        filters = QueryDict(query, mutable=True)
        for position in ("after", "before", "page", "page_size"):
            filters.pop(position, None)
        filterset = EVENTS.filter(filters)
        assert filterset.is_valid(), (url, filterset.error_messages())
        truth = filterset.qs.count()
        true = value is None or (value == truth if exact else value <= truth)
        rows.append({"page": name, "shown": value, "exact": exact, "truth": truth, "true": true})
        print(f"count {name:50} shown {value} ({'exact' if exact else 'at least'}), "
              f"truth {truth}: {'true' if true else 'FALSE'}", flush=True)  # fmt: skip
    return rows


def machine():
    memory = ""
    try:
        with open("/proc/meminfo") as handle:
            memory = handle.readline().split(":")[1].strip()
    except OSError:
        pass
    cpu = ""
    try:
        with open("/proc/cpuinfo") as handle:
            cpu = next(line.split(":")[1].strip() for line in handle if "model name" in line)
    except (OSError, StopIteration):
        pass
    return f"{os.cpu_count()} cores ({cpu}), {memory} memory, {platform.platform()}"


def shown_words(row) -> str:
    if row["shown"] is None:
        return "many"
    return f"{row['shown']:,}" if row["exact"] else f"more than {row['shown']:,}"


def markdown(results) -> str:
    lines = [
        f"Machine: {results['machine']}. Database: {results['database']}, "
        f"{results['events']:,} events.",
        "",
        "| page | median ms | p95 ms | goal: median / p95 ms | queries |",
        "| --- | ---: | ---: | --- | ---: |",
    ]
    for row in results["pages"]:
        met = row["median_ms"] <= row["goal_median_ms"] and (
            row["goal_p95_ms"] is None or row["p95_ms"] <= row["goal_p95_ms"]
        )
        goal = f"≤ {row['goal_median_ms']}" + (
            f" / ≤ {row['goal_p95_ms']}" if row["goal_p95_ms"] else ""
        )
        lines.append(
            f"| {row['page']} | {row['median_ms']} | {row['p95_ms']} | "
            f"{goal} ({'met' if met else '**missed**'}) | {row['queries']} |"
        )
    if results.get("cold"):
        lines += [
            "",
            "First request with an empty summary cache (counts and facets computed within their "
            "time budgets, or shown as estimates):",
            "",
            "| page | ms | queries |",
            "| --- | ---: | ---: |",
            *(f"| {row['page']} | {row['ms']} | {row['queries']} |" for row in results["cold"]),
        ]
    if results.get("counts"):
        lines += [
            "",
            "The count each events list shows, against a COUNT of its filters:",
            "",
            "| page | shown | truth | true |",
            "| --- | ---: | ---: | --- |",
            *(
                f"| {row['page']} | {shown_words(row)} | {row['truth']:,} | "
                f"{'yes' if row['true'] else '**no**'} |"
                for row in results["counts"]
            ),
        ]
    if "export" in results:
        export = results["export"]
        lines += [
            "",
            f"Full CSV export ({export['lines'] - 1:,} rows, {export['bytes'] / 1e6:.0f} MB): "
            f"{export['total_seconds']} s, first byte after {export['first_byte_seconds']} s, "
            f"peak memory of the serving process {export['peak_memory_mb']} MB.",
        ]
    if "export_http" in results:
        http = results["export_http"]
        lines.append(
            f"The same file over HTTP from gunicorn (production configuration, one worker) to a "
            f"client on loopback: {http['total_seconds']} s, first byte after "
            f"{http['first_byte_seconds']} s, {http['bytes'] / 1e6:.0f} MB, peak memory of the "
            f"worker {http['peak_memory_mb']} MB."
        )
    if "copy" in results:
        lines.append(
            f"PostgreSQL's own COPY of the same columns: {results['copy']['seconds']} s. "
            f"Export / COPY = **{results['export_copy_ratio']}**."
        )
    return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument(
        "--synthesize",
        action="store_true",
        help="Clear synthetic data and synthesize --events first.",
    )
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--skip-export", action="store_true")
    parser.add_argument(
        "--skip-http", action="store_true", help="Measure the pages in-process only."
    )
    parser.add_argument(
        "--only", default="", help="Measure only the pages whose name contains this text."
    )
    parser.add_argument("--json", type=Path, help="Write the results as JSON here.")
    parser.add_argument("--markdown", type=Path, help="Write the results as a table here.")
    args = parser.parse_args()
    setup(args.database_url)

    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from cooperation.models import Event

    results = {"machine": machine(), "database": connection.vendor}
    call_command("migrate", verbosity=0)
    # Synthetic events are counted alone: the curated catalogue may be loaded beside them.
    if args.synthesize or Event.objects.filter(slug__startswith="syn-").count() != args.events:
        started = time.perf_counter()
        call_command("synthesize", events=args.events, seed=1, clear=True)
        results["synthesize_seconds"] = round(time.perf_counter() - started, 1)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
        results["database"] += " " + connection.cursor().connection.info.parameter_status(
            "server_version"
        )
    results["events"] = Event.objects.count()
    results["settle_seconds"] = settle()
    print(f"waited {results['settle_seconds']} s for a quiet server", flush=True)
    client = Client()
    results["cold"] = [
        {"page": name, **cold(client, url)}
        for name, url, _ in scenarios()
        if args.only in name
        and (
            url.startswith(("/events/?country", "/countries/", "/organizations/", "/api/events/"))
            or url in {"/", "/events/"}
        )
    ]
    started = time.perf_counter()
    call_command("warm_summaries", verbosity=0)
    results["warm_summaries_seconds"] = round(time.perf_counter() - started, 1)

    results["pages"] = []
    for name, url, (goal, goal_p95) in scenarios():
        if args.only not in name:
            continue
        row = {
            "page": name,
            "url": url,
            "goal_median_ms": goal,
            "goal_p95_ms": goal_p95,
            **measure(client, url, args.repeat),
        }
        results["pages"].append(row)
        print(
            f"{name:55} median {row['median_ms']:8.1f} ms  p95 {row['p95_ms']:8.1f} ms  "
            f"{row['queries']:3d} queries",
            flush=True,
        )

    results["counts"] = shown_counts(client)

    if not args.skip_http:
        results["http"] = pages_over_http(args.database_url, args.repeat, args.only)

    if not args.skip_export:
        results["export"] = export_in_subprocess(args.database_url)
        print("export:", results["export"], flush=True)
        if sys.platform == "linux" and connection.vendor == "postgresql":
            results["export_http"] = export_over_http(args.database_url)
            print("export over HTTP:", results["export_http"], flush=True)
        if connection.vendor == "postgresql":
            results["copy"] = copy_time()
            results["export_copy_ratio"] = round(
                results["export"]["total_seconds"] / results["copy"]["seconds"], 2
            )
            print("copy:", results["copy"], "ratio", results["export_copy_ratio"], flush=True)
    if args.json:
        args.json.write_text(json.dumps(results, indent=1) + "\n")
    if args.markdown:
        args.markdown.write_text(markdown(results))
    print(json.dumps(results))


if __name__ == "__main__":
    main()
