"""Load test: gunicorn (production settings, PostgreSQL, 100,000 synthetic events) driven by wrk
at 32 connections for 60 seconds over a mix of list, filtered list, detail and CSV pages.

    python bench/load.py [--events 100000] [--duration 60] [--connections 32]

Loopback only. Needs wrk (Debian: apt-get install wrk). Prints requests per second, latency
percentiles and errors (non-2xx responses and socket errors); both must be zero.
"""

import argparse
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.serve import ROOT, create_database, gunicorn, manage, production_env


def paths(database_url, count=400, seed=7):
    """A reproducible mix of real URLs from the database."""
    os.environ.update(production_env(database_url, "/tmp"))
    os.environ["DJANGO_DEBUG"] = "true"  # reading only; no static files needed
    import django

    django.setup()
    from cooperation.models import Country, Event, Organization, Person, Programme

    rng = random.Random(seed)
    events = list(Event.objects.order_by("?").values_list("slug", flat=True)[:200])
    countries = [
        code.lower()
        for code in Country.objects.filter(event_links__isnull=False)
        .distinct()
        .values_list("code", flat=True)
    ]
    programmes = list(Programme.objects.values_list("slug", flat=True)[:50])
    organizations = list(Organization.objects.values_list("slug", flat=True)[:100])
    people = list(Person.objects.values_list("slug", flat=True)[:100])
    kinds = ["training", "seminar", "forum", "visit", "meeting"]
    mix = []
    for _ in range(count):
        roll = rng.random()
        year = rng.randint(1985, 2024)
        if roll < 0.15:
            mix.append("/events/")
        elif roll < 0.40:
            mix.append(rng.choice([
                f"/events/?country={rng.choice(countries)}",
                f"/events/?year={year}",
                f"/events/?country={rng.choice(countries)}&year={year}",
                f"/events/?type={rng.choice(kinds)}&sort=date",
                "/events/?q=water",
            ]))  # fmt: skip
        elif roll < 0.80:
            mix.append(rng.choice([
                f"/events/{rng.choice(events)}/",
                f"/countries/{rng.choice(countries)}/",
                f"/programmes/{rng.choice(programmes)}/",
                f"/organizations/{rng.choice(organizations)}/",
                f"/people/{rng.choice(people)}/",
                f"/years/{year}/",
                "/",
            ]))  # fmt: skip
        else:
            mix.append(
                f"/events/export.csv?country={rng.choice(countries)}&year={year}"
                if rng.random() < 0.7
                else f"/events/export.json?type={rng.choice(kinds)}&year={year}"
            )
    return mix


LUA = """
local paths = {%s}
local errors = 0
request = function()
  return wrk.format("GET", paths[math.random(#paths)])
end
"""


def run_wrk(base, mix, connections, duration):
    script = Path(tempfile.mkdtemp()) / "mix.lua"
    script.write_text(LUA % ", ".join(json.dumps(path) for path in mix))
    result = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--timeout", "30s", "--latency",
         "-s", str(script), base],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return result.stdout


def parse(output):
    def number(pattern, default="0"):
        found = re.search(pattern, output)
        return found.group(1) if found else default

    return {
        "requests_per_second": float(number(r"Requests/sec:\s+([\d.]+)")),
        "requests": int(number(r"(\d+) requests in")),
        "p50": number(r"50%\s+(\S+)"),
        "p90": number(r"90%\s+(\S+)"),
        "p99": number(r"99%\s+(\S+)"),
        "non_2xx": int(number(r"Non-2xx or 3xx responses:\s+(\d+)")),
        "socket_errors": sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)",
                                                         number(r"Socket errors:(.*)", "")))
    }  # fmt: skip


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--duration", type=int, default=60)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--database", default="catalogue_load")
    parser.add_argument("--reuse", action="store_true", help="Keep the database's data.")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is missing: apt-get install wrk")

    database_url = create_database(args.database)
    env = production_env(database_url, "/tmp")
    manage(env, "migrate", "--noinput", "-v0")
    if not args.reuse:
        manage(env, "synthesize", "--events", str(args.events), "--seed", "1", "--clear")
    manage(env, "warm_summaries")
    mix = paths(database_url)
    with gunicorn(database_url) as base:
        output = run_wrk(base, mix, args.connections, args.duration)
    print(output)
    result = parse(output)
    print(json.dumps(result))
    if result["non_2xx"] or result["socket_errors"]:
        sys.exit("errors during the load run")


if __name__ == "__main__":
    os.chdir(ROOT)
    main()
