from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SearchConfig(AppConfig):
    name = "dangan.search"
    verbose_name = _("检索")

    def ready(self):
        from dangan.search import signals  # noqa: F401
