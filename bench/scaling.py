"""The benchmark results of several catalogue sizes side by side, as Markdown.

    python bench/scaling.py bench/results-100000.json bench/results-1000000.json ...

Each file is what `bench/run.py --json` wrote for one size; an `export-ratio-N.json` beside
it (`bench/export_ratio.py --json`) adds the exports against COPY. `make bench` runs both for
every size in BENCH_SIZES and then this.
"""

import json
import sys
from pathlib import Path


def find(rows, name, field="page"):
    return next((row for row in rows if row[field] == name), None)


def timing(row):
    return f"{row['median_ms']} / {row['p95_ms']}" if row else ""


def exported(export) -> str:
    """One full export of bench/run.py: seconds (first byte), peak memory."""
    if not export:
        return ""
    seconds, first = export["total_seconds"], export["first_byte_seconds"]
    return f"{seconds} ({first}), {export['peak_memory_mb']} MB"


def counted(row) -> str:
    if row["shown"] is None:
        shown = "many"
    else:
        shown = f"{row['shown']:,}" if row["exact"] else f"more than {row['shown']:,}"
    return f"{shown} / {row['truth']:,}" + ("" if row["true"] else " (**untrue**)")


def main(paths):
    runs = []
    for path in map(Path, paths):
        results = json.loads(path.read_text())
        ratio = path.with_name(path.name.replace("results-", "export-ratio-"))
        exports = json.loads(ratio.read_text()) if ratio.exists() else []
        http = results.get("http", {"warm": [], "cold": []})
        runs.append((results, http, exports))
    sizes = [f"{results['events']:,} events" for results, _, _ in runs]
    first = runs[0][0]
    lines = [
        f"Machine: {first['machine']}. Database: {first['database']}.",
        "",
        "Median / p95 ms, in-process and over HTTP (gunicorn, one worker):",
        "",
        "| page | " + " | ".join(f"{s}, in-process | {s}, HTTP" for s in sizes) + " |",
        "| --- |" + " ---: | ---: |" * len(runs),
    ]
    for page in dict.fromkeys(row["page"] for results, _, _ in runs for row in results["pages"]):
        cells = []
        for results, http, _ in runs:
            cells += [timing(find(results["pages"], page)), timing(find(http["warm"], page))]
        lines.append(f"| {page} | " + " | ".join(cells) + " |")
    lines += [
        "",
        "First request, new worker and empty summary cache, over HTTP (ms):",
        "",
        "| page | " + " | ".join(sizes) + " |",
        "| --- |" + " ---: |" * len(runs),
    ]
    for page in dict.fromkeys(row["page"] for _, http, _ in runs for row in http["cold"]):
        cells = [str((find(http["cold"], page) or {}).get("ms", "")) for _, http, _ in runs]
        lines.append(f"| {page} | " + " | ".join(cells) + " |")
    if any(results.get("counts") for results, _, _ in runs):
        lines += [
            "",
            "The count each events list shows / a COUNT of its filters (after the pages):",
            "",
            "| page | " + " | ".join(sizes) + " |",
            "| --- |" + " ---: |" * len(runs),
        ]
        pages = (row["page"] for results, _, _ in runs for row in results.get("counts", []))
        for page in dict.fromkeys(pages):
            cells = []
            for results, _, _ in runs:
                row = find(results.get("counts", []), page)
                cells.append(counted(row) if row else "")
            lines.append(f"| {page} | " + " | ".join(cells) + " |")
    lines += [
        "",
        "Events CSV over HTTP against one COPY of the same SELECT: ratio (first byte, s):",
        "",
        "| export | " + " | ".join(sizes) + " |",
        "| --- |" + " ---: |" * len(runs),
    ]
    for name in dict.fromkeys(row["export"] for _, _, exports in runs for row in exports):
        cells = []
        for _, _, exports in runs:
            row = find(exports, name, "export")
            cells.append(f"{row['ratio']} ({row['first_byte_seconds']})" if row else "")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    if any(exports for _, _, exports in runs):
        whole = [find(exports, "all events", "export") for _, _, exports in runs]
        cells = [
            f"{row['copy_seconds']} s / {row['export_seconds']} s" if row else "" for row in whole
        ]
        lines.append("| all events: COPY / export | " + " | ".join(cells) + " |")
        cells = [
            f"{exports[0].get('worker_peak_memory_mb', '')} MB" if exports else ""
            for _, _, exports in runs
        ]
        lines.append("| gunicorn worker's peak memory, all exports | " + " | ".join(cells) + " |")
    if any(results.get("export") for results, _, _ in runs):
        lines += [
            "",
            "The full events CSV, bench/run.py's own, in a process of its own (Django's test"
            " client) and over HTTP, and its COPY: seconds (first byte, s), peak memory:",
            "",
            "| export | " + " | ".join(sizes) + " |",
            "| --- |" + " ---: |" * len(runs),
        ]

        rows = {"in-process": [], "over HTTP": [], "COPY": []}
        for results, _, _ in runs:
            rows["in-process"].append(exported(results.get("export")))
            rows["over HTTP"].append(exported(results.get("export_http")))
            copy = results.get("copy")
            rows["COPY"].append(f"{copy['seconds']}" if copy else "")
        for name, cells in rows.items():
            lines.append(f"| {name} | " + " | ".join(cells) + " |")
    print("\n".join(lines))


if __name__ == "__main__":
    main(sys.argv[1:])
