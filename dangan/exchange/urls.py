from django.urls import path

from dangan.exchange import views

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
