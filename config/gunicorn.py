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

# Request lines up to gunicorn's maximum: it refuses longer ones with a bare page of its own,
# and this leaves room above the app's limit (MAX_URL_LENGTH = 8000 characters of path and
# query string, cooperation/middleware.py) for a method and the protocol ("OPTIONS " and
# " HTTP/1.1"), so an address too long for the app gets the app's page that explains.
limit_request_line = 8190
# A header may carry one of those addresses with the site's scheme and host (Referer, after a
# link on a page with a long address); nothing the site reads needs more.
limit_request_field_size = 8190


def post_worker_init(worker):
    """Before a new worker takes its first request: compile the site's templates and build
    the URL resolver, which the first request of each worker otherwise paid for (about
    200 ms at 1,000,000 events; docs/performance.md). Nothing is read from the database.

    Then everything loaded so far (the code, the templates: about 126,000 objects) is moved
    out of the garbage collector's sight (gc.freeze): it lives as long as the worker, and each
    full pass of the collector walked it all again, 50-100 ms in the middle of a request."""
    import gc
    from pathlib import Path

    from django.conf import settings
    from django.template.loader import get_template
    from django.urls import get_resolver

    get_resolver().resolve("/")
    for folder in settings.TEMPLATES[0]["DIRS"]:
        for path in sorted(Path(folder).rglob("*.html")):
            get_template(str(path.relative_to(folder)))
    gc.collect()
    gc.freeze()
