"""The downloads page and the whole catalogue as a data package (cooperation/datapackage/)."""

from django.http import FileResponse
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.http import condition
from django.views.generic import TemplateView

from .. import versions
from ..datapackage import cache, tables
from ..lists import LISTS
from ..routers import primary


def version_of(request) -> versions.Version:
    """The catalogue's version, read once per request (the ETag and Last-Modified both ask),
    from the primary database, which the build reads: a replica's older number would name a
    package that is no longer kept, and each request would build it again."""
    if not hasattr(request, "catalogue_version"):
        with primary():
            request.catalogue_version = versions.current()
    return request.catalogue_version


def package_etag(request, *args, **kwargs):
    return version_of(request).etag


def package_last_modified(request, *args, **kwargs):
    return version_of(request).changed_at


class DownloadsView(TemplateView):
    """What the package holds: its tables and their fields from the models (no query), and,
    once this version is built, its size and row counts. Viewing the page builds nothing: the
    first download does (or `manage.py build_datapackage`)."""

    template_name = "cooperation/downloads.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        version = version_of(self.request)
        package = cache.cached(version)
        stats = {}
        if package is not None:
            descriptor = cache.read_descriptor(package.path)
            stats = {resource["name"]: resource for resource in descriptor["resources"]}
        context.update(
            version=version,
            package=package,
            tables=[table_context(table, stats.get(table.name, {})) for table in tables()],
            exports=[
                (catalogue_list.name, reverse(f"cooperation:{name}-csv"))
                for name, catalogue_list in LISTS.items()
            ],
        )
        return context


def table_context(table, stats: dict) -> dict:
    descriptor = table.descriptor()
    schema = descriptor["schema"]
    references = {key["fields"]: key["reference"]["resource"] for key in schema["foreignKeys"]}
    return {
        "descriptor": descriptor,
        "rows": stats.get("rows"),
        # (field, the table its foreign key points at, if any)
        "fields": [(field, references.get(field["name"])) for field in schema["fields"]],
    }


@method_decorator(
    condition(etag_func=package_etag, last_modified_func=package_last_modified), "get"
)
class PackageDownloadView(View):
    """The package as a file, built on the first request after an edit and kept until the
    next one; 304 to a client that holds this version."""

    def get(self, request):
        package = cache.ensure(version_of(request))
        response = FileResponse(
            package.path.open("rb"),
            as_attachment=True,
            filename=f"cooperation-catalogue-{package.version.changed_at:%Y-%m-%d}.zip",
            content_type="application/zip",
        )
        # The package's own version: an edit may have landed while it was built.
        response["ETag"] = package.version.etag
        response["Last-Modified"] = package.version.last_modified
        patch_cache_control(response, public=True, no_cache=True)  # check with us before reuse
        return response
