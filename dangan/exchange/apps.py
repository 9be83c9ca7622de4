from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    """Catalogue import and export: spreadsheets in and out, printed DA/T 22 forms, EAD3."""

    name = "dangan.exchange"
    label = "exchange"
    verbose_name = "导入导出"

    def ready(self):
        from dangan.exchange import jobs  # noqa: F401  (registers the import job)
