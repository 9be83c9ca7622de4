from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.response import Response

from dangan.api.views import RestrictedModelViewSet
from dangan.core.permissions import require_any
from dangan.units.api import serializers
from dangan.units.filtersets import ArchivistFilterSet, GroupFilterSet, UnitFilterSet
from dangan.units.models import Archivist, Group, Unit
from dangan.units.services import merge_units


class GroupViewSet(RestrictedModelViewSet):
    model = Group
    serializer_class = serializers.GroupSerializer
    filterset_class = GroupFilterSet


class UnitViewSet(RestrictedModelViewSet):
    model = Unit
    serializer_class = serializers.UnitSerializer
    filterset_class = UnitFilterSet
    ordering_fields = ["code", "name", "unit_type", "status"]

    @extend_schema(request=serializers.MergeSerializer, responses=serializers.UnitSerializer)
    @action(detail=False, methods=["post"], serializer_class=serializers.MergeSerializer)
    def merge(self, request):
        """Merge units into a successor (区划调整); the merged units keep their records and numbers."""
        require_any(request.user, "merge", Unit)
        data = serializers.MergeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        merge_units(data.validated_data["units"], data.validated_data["successor"], data.validated_data["date"],
                    data.validated_data.get("note", ""))
        return Response(serializers.UnitSerializer(data.validated_data["successor"]).data)


class ArchivistViewSet(RestrictedModelViewSet):
    model = Archivist
    serializer_class = serializers.ArchivistSerializer
    filterset_class = ArchivistFilterSet
    select_related = ("unit",)
