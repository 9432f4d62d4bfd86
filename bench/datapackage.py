"""Build the whole catalogue as a data package once, and report its time and peak memory.

    python bench/datapackage.py \
        --database-url postgres://postgres@127.0.0.1:5432/catalogue_bench_1000000 \
        [--output /tmp/catalogue.zip] [--json FILE]

The build reads the database only (one read-only transaction); the zip goes to --output, or
to a temporary file that is removed afterwards. Peak memory is the process's resident set
high-water mark (ru_maxrss), Django and the database driver included. The issue's goal at
1,000,000 events: under 3 minutes and under 300 MB.
"""

import argparse
import json
import os
import platform
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--output", type=Path, help="Keep the zip here (default: discard it).")
    parser.add_argument("--json", type=Path, help="Also write the figures to this file.")
    args = parser.parse_args()

    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.db import connection

    from cooperation.datapackage import build

    baseline_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    output = args.output or Path(tempfile.mkstemp(suffix=".zip")[1])
    try:
        started = time.perf_counter()
        with output.open("wb") as handle:
            built = build(handle)
        seconds = time.perf_counter() - started
        size = output.stat().st_size
    finally:
        if args.output is None:
            output.unlink(missing_ok=True)
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    rows = {table.name: table.rows for table in built.tables}
    figures = {  # per table: [rows, CSV bytes]
        "database": connection.vendor,
        "events": rows["event"],
        "rows": sum(rows.values()),
        "csv_bytes": sum(table.bytes for table in built.tables),
        "zip_bytes": size,
        "seconds": round(seconds, 1),
        "peak_memory_mb": round(peak_kb / 1024, 1),
        "memory_before_build_mb": round(baseline_kb / 1024, 1),
        "catalogue_version": built.version.number,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "tables": {table.name: [table.rows, table.bytes] for table in built.tables},
    }
    print(json.dumps(figures, indent=2))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()
