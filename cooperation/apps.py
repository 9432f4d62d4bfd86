from django.apps import AppConfig


class CooperationConfig(AppConfig):
    name = "cooperation"
    verbose_name = "Cooperation catalogue"

    def ready(self):
        from . import broad_summaries, versions
        from .models import CATALOGUE_MODELS

        versions.connect(CATALOGUE_MODELS)
        versions.changed.connect(broad_summaries.refresh_after_edit, dispatch_uid="refresh")
