"""Requests the database cannot serve get an answer that explains, not a stack trace."""

import logging

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template.loader import render_to_string

from .views.common import bad_request

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 30


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
