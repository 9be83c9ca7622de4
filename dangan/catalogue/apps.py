from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogueConfig(AppConfig):
    name = "dangan.catalogue"
    verbose_name = _("档案目录")

    def ready(self):
        from dangan.catalogue import signals  # noqa: F401
