"""API paths of the access app, included by dangan/urls.py under ``api/v1/`` before the API router."""

from django.urls import path

from dangan.access.api import views

urlpatterns = [
    path("access/requests/", views.RequestListView.as_view(), name="api-access-requests"),
    path("access/requests/<int:pk>/", views.RequestView.as_view(), name="api-access-request"),
    path(
        "access/requests/<int:pk>/approve/", views.DecideView.as_view(approve=True), name="api-access-approve"
    ),
    path(
        "access/requests/<int:pk>/reject/", views.DecideView.as_view(approve=False), name="api-access-reject"
    ),
    path("certificates/verify/", views.VerifyView.as_view(), name="api-certificate-verify"),
]
