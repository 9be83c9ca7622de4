from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "dangan.core"
    verbose_name = _("系统")

    def ready(self):
        from django.utils.module_loading import autodiscover_modules

        from dangan.core import signals  # noqa: F401

        # Each app registers its background jobs in its own jobs.py.
        autodiscover_modules("jobs")
