"""Requests the database cannot serve get an answer that explains, not a stack trace."""

import logging

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import Resolver404, resolve

from . import versions
from .views import ExportView, PackageDownloadView
from .views.common import bad_request

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 30

# The longest address (path and query string) the site answers; longer ones get a 414 that
# explains. gunicorn refuses request lines over its own limit with a bare page of its own, so
# config/gunicorn.py sets that limit above this one plus a method and the protocol.
MAX_URL_LENGTH = 8000


class RejectNulMiddleware:
    """400 for a request whose path or query string holds a NUL character (`%00`).

    PostgreSQL text can hold no NUL: such a value reaching a query is a DataError, a 500. The
    admin's list filters pass their values straight to the database; this check covers them
    and every other view, except those that validate their whole query string themselves
    (`validates_query`: the public lists, which show the error beside its field).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path:
            return bad_request(["the address holds a NUL character (%00)."])
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if getattr(getattr(view_func, "view_class", None), "validates_query", False):
            return None
        if any(
            "\x00" in key or any("\x00" in value for value in values)
            for key, values in request.GET.lists()
        ):
            return bad_request(["the query string holds a NUL character (%00)."])
        return None


class RejectLongUrlMiddleware:
    """414 for an address longer than MAX_URL_LENGTH: JSON under /api/ ({"detail", "errors"}
    as its 400s), one line of text for the exports and downloads, a page elsewhere.

    Many filters can each be given many values, so no list bounds its address by itself.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        length = len(request.get_full_path())
        if length > MAX_URL_LENGTH:
            return uri_too_long(request, length)
        return self.get_response(request)


def uri_too_long(request, length):
    problem = (
        f"the address is {length} characters long; "
        f"this site answers addresses of up to {MAX_URL_LENGTH}."
    )
    try:
        match = resolve(request.path_info)
    except Resolver404:
        match = None
    if match is not None and match.app_name == "api":
        return JsonResponse({"detail": f"URI too long: {problem}", "errors": [problem]}, status=414)
    view_class = getattr(match.func, "view_class", None) if match else None
    if view_class is not None and issubclass(view_class, ExportView | PackageDownloadView):
        return HttpResponse(
            f"URI too long: {problem}\n", status=414, content_type="text/plain; charset=utf-8"
        )
    context = {"length": length, "max_length": MAX_URL_LENGTH}
    return render(request, "414.html", context, status=414)


class CatalogueVersionMiddleware:
    """A request that only reads reads the catalogue's version at most once: its ETag and
    every cached summary it shows then agree on one version, for one query."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method in ("GET", "HEAD", "OPTIONS"):
            with versions.once_per_request():
                return self.get_response(request)
        return self.get_response(request)


class DatabaseUnavailableMiddleware:
    """Answer 503 with a friendly page when the database is down or unreachable.

    Connections are health-checked before reuse (CONN_HEALTH_CHECKS) and opened with a short
    connect timeout, so the next request after the database returns is served normally.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        logger.error("Database unavailable: %s", exception)
        body = render_to_string("503.html", request=None)
        response = HttpResponse(body, status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
