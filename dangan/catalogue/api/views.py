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

RECORD_ORDERING = ["reference_code", "year", "title", "created_at", "updated_at", "number"]


class FondsViewSet(RestrictedModelViewSet):
    """全宗: archivists see the fonds of their units (and sub-units); only bureau staff edit fonds."""

    model = Fonds
    serializer_class = serializers.FondsSerializer
    filterset_class = FondsFilterSet
    ordering_fields = ["number", "name", "start_year"]


class RetentionViewSet(RestrictedModelViewSet):
    """保管期限 code table: everyone signed in reads it; bureau staff edit it."""

    model = Retention
    serializer_class = serializers.RetentionSerializer
    filterset_fields = ["code", "active"]
    ordering_fields = ["order", "code", "name", "years"]


class CategoryViewSet(RestrictedModelViewSet):
    """档案门类 with their extra fields: everyone signed in reads them; bureau staff edit them."""

    model = Category
    serializer_class = serializers.CategorySerializer
    filterset_fields = ["code", "filing_level", "active"]
    ordering_fields = ["order", "code", "name"]
    prefetch_related = ("fields",)


class CategoryFieldViewSet(RestrictedModelViewSet):
    """A category's extra description fields, checked on every item and volume of the category."""

    model = CategoryField
    serializer_class = serializers.CategoryFieldSerializer
    filterset_fields = ["category"]
    ordering_fields = ["order", "key"]
    select_related = ("category",)


class RetentionScheduleViewSet(RestrictedModelViewSet):
    """归档范围与保管期限表 per unit type, with their entries."""

    model = RetentionSchedule
    serializer_class = serializers.RetentionScheduleSerializer
    filterset_fields = ["unit_type"]
    ordering_fields = ["unit_type", "name"]
    prefetch_related = ("entries",)


class ScheduleEntryViewSet(RestrictedModelViewSet):
    """One line of a retention schedule: what is filed, and for how long."""

    model = ScheduleEntry
    serializer_class = serializers.ScheduleEntrySerializer
    filterset_fields = ["schedule", "category", "retention"]
    ordering_fields = ["schedule", "number"]


class RecordViewSet(RestrictedModelViewSet):
    """Items and volumes: reference codes are given on create; filters are those of the list pages."""

    def may_try_add(self, request):
        return Fonds.objects.restrict(request.user, "file").exists()


class VolumeViewSet(RecordViewSet):
    """案卷: files of items, for categories filed by volume."""

    model = Volume
    serializer_class = serializers.VolumeSerializer
    filterset_class = VolumeFilterSet
    ordering_fields = RECORD_ORDERING
    select_related = ("fonds", "category", "retention")


class ItemViewSet(RecordViewSet):
    """件: items; an item in a volume takes its fonds, category, year and retention from the volume."""

    model = Item
    serializer_class = serializers.ItemSerializer
    filterset_class = ItemFilterSet
    ordering_fields = RECORD_ORDERING + ["date"]
    select_related = ("fonds", "category", "retention", "volume")
