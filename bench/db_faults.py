"""Fault demonstration: PostgreSQL connections are terminated while gunicorn serves requests.

    python bench/db_faults.py [--seconds 30]

A client requests pages in a loop for --seconds; every few seconds every connection of the
site's database is terminated (pg_terminate_backend). Expected: no 500, at most a few 503
answers while connections are cut, and 200s again right after (health-checked connections
reconnect by themselves). A download whose connection is cut after its first bytes cannot
change its status any more: it must end as a failed transfer the client notices ("cut"),
never as a shorter file that looks complete; every complete CSV is compared with one fetched
before the faults. Loopback only; the run stops by itself.
"""

import argparse
import collections
import http.client
import json
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.serve import ADMIN_URL, create_database, gunicorn, manage, production_env

CSV = "/events/export.csv?year=2012"
PAGES = ["/events/", "/events/?year=2012", "/countries/", "/", CSV]


def terminate_all(database):
    import psycopg

    with psycopg.connect(ADMIN_URL, autocommit=True) as connection:
        rows = connection.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = %s AND pid <> pg_backend_pid()",
            [database],
        ).fetchall()
    return len(rows)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--database", default="catalogue_faults")
    args = parser.parse_args()
    database_url = create_database(args.database)
    env = production_env(database_url, "/tmp")
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "load_catalogue")

    statuses = collections.Counter()
    timeline = []
    with gunicorn(database_url, workers=3) as base:
        with urllib.request.urlopen(base + CSV, timeout=10) as response:
            reference = response.read()
        stop = time.monotonic() + args.seconds
        terminated = []

        def killer():
            while time.monotonic() < stop - 3:
                time.sleep(3)
                terminated.append(terminate_all(args.database))

        thread = threading.Thread(target=killer)
        thread.start()
        index = 0
        while time.monotonic() < stop:
            url = base + PAGES[index % len(PAGES)]
            index += 1
            started = time.monotonic()
            try:
                with urllib.request.urlopen(url, timeout=10) as response:
                    body = response.read()
                    status = response.status
                if status == 200 and url.endswith(CSV) and body != reference:
                    status = "truncated"
            except urllib.error.HTTPError as error:
                status = error.code
            except (http.client.IncompleteRead, ConnectionError):
                status = "cut"
            statuses[status] += 1
            timeline.append((round(started, 2), status, round(time.monotonic() - started, 3)))
        thread.join()
        last = [status for _, status, _ in timeline[-20:]]
    result = {
        "requests": sum(statuses.values()),
        "statuses": dict(statuses),
        "terminations": len(terminated),
        "connections_terminated": sum(terminated),
        "slowest_seconds": max(duration for _, _, duration in timeline),
        "last_20_all_ok": all(status == 200 for status in last),
    }
    print(json.dumps(result))
    if statuses.get(500) or statuses.get("truncated") or not result["last_20_all_ok"]:
        sys.exit("the site did not survive the faults")


if __name__ == "__main__":
    main()
