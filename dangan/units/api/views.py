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
    """协作组: units that inspect each other. Everyone signed in reads them; bureau staff edit them."""

    model = Group
    serializer_class = serializers.GroupSerializer
    filterset_class = GroupFilterSet
    ordering_fields = ["name"]


class UnitViewSet(RestrictedModelViewSet):
    """建档单位: the unit tree. Everyone signed in reads it; only bureau staff change it or merge units."""

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
        values = data.validated_data
        merge_units(values["units"], values["successor"], values["date"], values.get("note", ""))
        return Response(serializers.UnitSerializer(values["successor"]).data)


class ArchivistViewSet(RestrictedModelViewSet):
    """档案员: bureau staff see all; a unit archivist sees and registers those of their own units."""

    model = Archivist
    serializer_class = serializers.ArchivistSerializer
    filterset_class = ArchivistFilterSet
    ordering_fields = ["name", "since", "until"]
    select_related = ("unit",)

    def may_try_add(self, request):
        return request.user.is_bureau or request.user.is_archivist
