from django.views.generic import TemplateView

from .. import coverage


class CoverageView(TemplateView):
    """What the catalogue covers and what it does not, from the data (cooperation/coverage.py)."""

    template_name = "cooperation/coverage.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs, **coverage.coverage())
