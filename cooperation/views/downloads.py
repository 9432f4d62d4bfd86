"""The downloads page and the whole catalogue as a data package (cooperation/datapackage/)."""

from django.http import FileResponse
from django.urls import reverse
from django.views import View
from django.views.generic import TemplateView

from .. import versions
from ..datapackage import cache, tables
from ..lists import LISTS
from ..routers import primary
from .common import not_modified, with_version


def current_version() -> versions.Version:
    """The catalogue's version from the primary database, which the build reads: a replica's
    older number would name a package that is no longer kept, and each request would build
    it again."""
    with primary():
        return versions.current()


class DownloadsView(TemplateView):
    """What the package holds: its tables and their fields from the models (no query), and,
    once this version is built, its size and row counts. Viewing the page builds nothing: the
    first download does (or `manage.py build_datapackage`)."""

    template_name = "cooperation/downloads.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        version = current_version()
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


class PackageDownloadView(View):
    """The package as a file, built on the first request after an edit and kept until the
    next one; 304 to a client that holds this version."""

    def get(self, request):
        version = current_version()
        if answer := not_modified(request, version):
            return answer
        package = cache.ensure(version)
        response = FileResponse(
            package.path.open("rb"),
            as_attachment=True,
            filename=f"cooperation-catalogue-{package.version.changed_at:%Y-%m-%d}.zip",
            content_type="application/zip",
        )
        # The package's own version: an edit may have landed while it was built.
        return with_version(response, package.version)
