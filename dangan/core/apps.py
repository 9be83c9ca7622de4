import gc

from django.apps import AppConfig
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "dangan.core"
    verbose_name = _("系统")

    def ready(self):
        from django.utils.module_loading import autodiscover_modules

        from dangan.core import signals  # noqa: F401

        # Each app registers its background jobs in its own jobs.py.
        autodiscover_modules("jobs")
        apply_gc_threshold(settings.DANGAN_GC_THRESHOLD)


def apply_gc_threshold(threshold: int) -> None:
    """Collect cyclic garbage of the youngest generation after ``threshold`` new container objects (rows,
    model instances, dicts) instead of Python's 700: short-lived ones are freed by their reference counts
    long before, and each collection also walks everything alive at that moment (an import's whole chunk).
    The older generations keep Python's ratios; 0, as in Python, turns automatic collection off."""
    gc.set_threshold(threshold, *gc.get_threshold()[1:])
