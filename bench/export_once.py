"""Stream the full events CSV once, as a client would, and report time and peak memory.

python bench/export_once.py DATABASE_URL
"""

import json
import os
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ["DATABASE_URL"] = sys.argv[1]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from django.test import Client  # noqa: E402

started = time.perf_counter()
response = Client().get("/events/export.csv")
assert response.status_code == 200, response.status_code
first_byte = None
size = rows = 0
for chunk in response.streaming_content:
    if first_byte is None:
        first_byte = time.perf_counter() - started
    size += len(chunk)
    rows += chunk.count(b"\n")
total = time.perf_counter() - started
peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(
    json.dumps(
        {
            "first_byte_seconds": round(first_byte, 3),
            "total_seconds": round(total, 2),
            "peak_memory_mb": round(peak_kb / 1024, 1),
            "bytes": size,
            "lines": rows,
        }
    )
)
