"""gunicorn settings for production: `gunicorn -c config/gunicorn.py config.wsgi`.

Exports stream for as long as the file takes (all 1,000,000 events of the benchmark: about
45 s). Threaded workers keep answering gunicorn's heartbeat from their main thread while a
thread streams; the default sync worker counts the whole request against `timeout` and is
killed after 30 s, cutting the download short.
"""

import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
worker_class = "gthread"
workers = int(os.environ.get("WEB_CONCURRENCY", 2 * (os.cpu_count() or 1) + 1))
# Two threads a worker served the load test best on 2 cores (docs/performance.md).
threads = int(os.environ.get("GUNICORN_THREADS", "2"))
# A worker whose main loop stops answering for this long is replaced; requests may run longer.
timeout = 30
