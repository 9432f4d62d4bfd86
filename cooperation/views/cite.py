"""A record's citation as a download for reference managers (RIS, BibTeX, CSL-JSON)."""

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.views import View

from ..citations_export import FORMATS, KINDS, citation_context, citation_fields


class CiteView(View):
    """/events/<slug>/cite.ris and the like: one kind of record, one format."""

    kind = ""
    format = ""

    def get(self, request, **lookup):
        kind, citation_format = KINDS[self.kind], FORMATS[self.format]
        record = get_object_or_404(kind.model.objects, **lookup)  # published events only
        fields = citation_fields(request, kind, record)
        response = HttpResponse(
            citation_format.write(fields),
            content_type=f"{citation_format.content_type}; charset=utf-8",
        )
        filename = f"{fields['id']}.{citation_format.extension}"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response


class CitableRecord:
    """For a record page's view: puts the "Cite this record" box's contents in its context."""

    cite_kind = ""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["citation"] = citation_context(self.request, self.cite_kind, self.object)
        return context
