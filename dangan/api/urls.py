from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from dangan.api.views import TokenView
from dangan.catalogue.api import views as catalogue
from dangan.units.api import views as units

router = DefaultRouter()
router.register("units", units.UnitViewSet, basename="unit")
router.register("groups", units.GroupViewSet, basename="group")
router.register("archivists", units.ArchivistViewSet, basename="archivist")
router.register("fonds", catalogue.FondsViewSet, basename="fonds")
router.register("categories", catalogue.CategoryViewSet, basename="category")
router.register("category-fields", catalogue.CategoryFieldViewSet, basename="categoryfield")
router.register("retention", catalogue.RetentionViewSet, basename="retention")
router.register("schedules", catalogue.RetentionScheduleViewSet, basename="schedule")
router.register("schedule-entries", catalogue.ScheduleEntryViewSet, basename="scheduleentry")
router.register("volumes", catalogue.VolumeViewSet, basename="volume")
router.register("items", catalogue.ItemViewSet, basename="item")

urlpatterns = [
    path("v1/", include(router.urls)),
    path("v1/auth/token/", TokenView.as_view(), name="api_token"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api_docs"),
]
