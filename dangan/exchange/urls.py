from django.urls import path

from dangan.exchange import views
from dangan.exchange.api import FondsEadAPIView, ImportAPIView, ItemExportAPIView

app_name = "exchange"

urlpatterns = [
    path("", views.home, name="home"),
    path("imports/<int:pk>/", views.batch_detail, name="batch"),
    path("imports/<int:pk>/mapping/", views.batch_mapping, name="batch_mapping"),
    path("imports/<int:pk>/validate/", views.batch_validate, name="batch_validate"),
    path("imports/<int:pk>/commit/", views.batch_commit, name="batch_commit"),
    path("imports/<int:pk>/report/", views.batch_report, name="batch_report"),
    path("export/items/", views.export_items, name="export_items"),
    path("print/items/", views.print_items, name="print_items"),
    path("print/fonds/<int:pk>/volumes/", views.print_volumes, name="print_volumes"),
    path("print/volumes/<int:pk>/", views.print_volume_contents, name="print_volume_contents"),
    path("ead/fonds/<int:pk>/", views.export_ead, name="ead"),
]

# Mounted under /api/v1/ by dangan/urls.py, before the api/ include (dangan/api/urls.py has its own owner).
api_urlpatterns = [
    path("api/v1/exports/items.csv", ItemExportAPIView.as_view(kind="csv"), name="api_export_items_csv"),
    path("api/v1/exports/items.xlsx", ItemExportAPIView.as_view(kind="xlsx"), name="api_export_items_xlsx"),
    path("api/v1/exports/fonds/<int:pk>/ead.xml", FondsEadAPIView.as_view(), name="api_export_ead"),
    path("api/v1/imports/", ImportAPIView.as_view(), name="api_imports"),
]
