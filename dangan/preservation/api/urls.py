"""API paths of the preservation app, included by dangan/urls.py under ``api/v1/`` before the API router."""

from django.urls import path

from dangan.preservation.api import views

urlpatterns = [
    path("items/<int:pk>/files/", views.ItemFilesView.as_view(), name="api-item-files"),
    path("volumes/<int:pk>/files/", views.VolumeFilesView.as_view(), name="api-volume-files"),
    path("files/<int:pk>/", views.FileView.as_view(), name="api-file"),
    path("files/<int:pk>/content/", views.FileContentView.as_view(), name="api-file-content"),
]
