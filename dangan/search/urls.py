from django.urls import path

from dangan.search import views
from dangan.search.api.views import SearchAPIView

app_name = "search"

urlpatterns = [
    path("", views.search, name="search"),
]

# Mounted at /api/v1/search by dangan/urls.py (dangan/api/urls.py has its own owner).
api_urlpatterns = [
    path("api/v1/search", SearchAPIView.as_view(), name="api_search"),
]
