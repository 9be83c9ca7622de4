from dangan.api.views import RestrictedModelViewSet
from dangan.catalogue.api import serializers
from dangan.catalogue.filtersets import FondsFilterSet, ItemFilterSet, VolumeFilterSet
from dangan.catalogue.models import (
    Category,
    CategoryField,
    Fonds,
    Item,
    Retention,
    RetentionSchedule,
    ScheduleEntry,
    Volume,
)

RECORD_ORDERING = ["reference_code", "year", "title", "date", "created_at", "updated_at", "number"]


class FondsViewSet(RestrictedModelViewSet):
    model = Fonds
    serializer_class = serializers.FondsSerializer
    filterset_class = FondsFilterSet
    ordering_fields = ["number", "name", "start_year"]


class RetentionViewSet(RestrictedModelViewSet):
    model = Retention
    serializer_class = serializers.RetentionSerializer
    filterset_fields = ["code", "active"]


class CategoryViewSet(RestrictedModelViewSet):
    model = Category
    serializer_class = serializers.CategorySerializer
    filterset_fields = ["code", "filing_level", "active"]

    def get_queryset(self):
        return super().get_queryset().prefetch_related("fields")


class CategoryFieldViewSet(RestrictedModelViewSet):
    model = CategoryField
    serializer_class = serializers.CategoryFieldSerializer
    filterset_fields = ["category"]


class RetentionScheduleViewSet(RestrictedModelViewSet):
    model = RetentionSchedule
    serializer_class = serializers.RetentionScheduleSerializer
    filterset_fields = ["unit_type"]

    def get_queryset(self):
        return super().get_queryset().prefetch_related("entries")


class ScheduleEntryViewSet(RestrictedModelViewSet):
    model = ScheduleEntry
    serializer_class = serializers.ScheduleEntrySerializer
    filterset_fields = ["schedule", "category", "retention"]


class VolumeViewSet(RestrictedModelViewSet):
    model = Volume
    serializer_class = serializers.VolumeSerializer
    filterset_class = VolumeFilterSet
    ordering_fields = RECORD_ORDERING
    select_related = ("fonds", "category", "retention")


class ItemViewSet(RestrictedModelViewSet):
    model = Item
    serializer_class = serializers.ItemSerializer
    filterset_class = ItemFilterSet
    ordering_fields = RECORD_ORDERING
    select_related = ("fonds", "category", "retention", "volume")
