from django.apps import AppConfig


class CooperationConfig(AppConfig):
    name = "cooperation"
    verbose_name = "Cooperation catalogue"

    def ready(self):
        from . import versions
        from .models import CATALOGUE_MODELS

        versions.connect(CATALOGUE_MODELS)
