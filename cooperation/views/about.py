"""/about/: what the catalogue covers (cooperation/coverage.py), how it was curated, how to
cite it, its licence and where its data are. /coverage/ was the coverage section's own page."""

from django.urls import reverse
from django.views.generic import RedirectView, TemplateView

from .. import coverage, versions
from ..charts import row_chart
from ..datapackage.build import LICENCE

CHART_ROWS = 20  # a large catalogue's long tail of sources stays in the table


def sources_chart(shares):
    """Events per source document, most first; each bar opens the events citing it."""
    events = reverse("cooperation:event-list")
    return row_chart(
        "Events per source document",
        [
            (share.source.title, share.events, f"{events}?source={share.source.slug}")
            for share in shares[:CHART_ROWS]
        ],
    )


class AboutView(TemplateView):
    template_name = "cooperation/about.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs, **coverage.coverage())
        shares = context["sources"]
        context.update(
            chart=sources_chart(shares) if shares else None,
            chart_caption=(
                "Events citing each source document; the table below gives the same figures, "
                "with each document's share and years."
                if not shares or len(shares) <= CHART_ROWS
                else f"Events citing the {CHART_ROWS} source documents cited most; the table "
                "below gives every document, with its share and years."
            ),
            licence=LICENCE,
            # Read once per request already (CatalogueVersionMiddleware): no query of its own.
            version=versions.current(),
        )
        return context


class CoverageRedirect(RedirectView):
    """The coverage page is now the about page's first section; old links land on it."""

    permanent = True

    def get_redirect_url(self, *args, **kwargs):
        return reverse("cooperation:about") + "#coverage"
