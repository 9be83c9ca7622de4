from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from dangan.core import views as core_views
from dangan.exchange.urls import api_urlpatterns as exchange_api_urlpatterns
from dangan.search.urls import api_urlpatterns as search_api_urlpatterns

urlpatterns = [
    path("", core_views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("audit/", core_views.audit_log, name="audit_log"),
    path("audit/verify/", core_views.audit_verify, name="audit_verify"),
    path("jobs/", core_views.job_list, name="job_list"),
    path("jobs/<int:pk>/", core_views.job_detail, name="job"),
    path("units/", include("dangan.units.urls")),
    path("catalogue/", include("dangan.catalogue.urls")),
    path("search/", include("dangan.search.urls")),
    *search_api_urlpatterns,
    path("preservation/", include("dangan.preservation.urls")),
    path("api/v1/", include("dangan.preservation.api.urls")),
    path("api/v1/", include("dangan.access.api.urls")),
    path("access/", include("dangan.access.urls")),
    path("portal/", include("dangan.portal.urls")),
    path("exchange/", include("dangan.exchange.urls")),
    *exchange_api_urlpatterns,
    path("api/", include("dangan.api.urls")),
    path("admin/", admin.site.urls),
]
