from django.urls import path

from dangan.catalogue.models import Volume
from dangan.preservation import views

app_name = "preservation"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("items/<int:pk>/upload/", views.upload, name="upload"),
    path("items/<int:pk>/report/", views.record_report, name="item_report"),
    path("items/<int:pk>/check/", views.check_record, name="check_item"),
    path("volumes/<int:pk>/upload/", views.upload, {"model": Volume}, name="volume_upload"),
    path("volumes/<int:pk>/report/", views.record_report, {"model": Volume}, name="volume_report"),
    path("volumes/<int:pk>/check/", views.check_record, {"model": Volume}, name="check_volume"),
    path("files/<int:pk>/", views.file_detail, name="file"),
    path("files/<int:pk>/download/", views.download, name="download"),
    path("files/<int:pk>/view/", views.viewer, name="viewer"),
    path("files/<int:pk>/remove/", views.remove, name="remove"),
    path("files/<int:pk>/thumbnail/", views.thumbnail, name="thumbnail"),
    path("files/<int:pk>/first-page/", views.thumbnail, {"size": 1240}, name="first_page"),
    path("runs/", views.run_list, name="run_list"),
    path("runs/<int:pk>/", views.run_detail, name="run"),
]
