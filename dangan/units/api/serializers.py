from rest_framework import serializers

from dangan.api.serializers import ValidatedModelSerializer
from dangan.units.models import Archivist, Group, Unit


class GroupSerializer(ValidatedModelSerializer):
    class Meta:
        model = Group
        fields = ["id", "name", "description"]


class UnitSerializer(ValidatedModelSerializer):
    class Meta:
        model = Unit
        fields = ["id", "code", "name", "short_name", "unit_type", "parent", "status", "status_date",
                  "successor", "group", "address", "notes"]
        read_only_fields = ["status", "status_date", "successor"]


class ArchivistSerializer(ValidatedModelSerializer):
    class Meta:
        model = Archivist
        fields = ["id", "unit", "name", "employment", "position", "phone", "email", "since", "until",
                  "trained"]


class MergeSerializer(serializers.Serializer):
    units = serializers.PrimaryKeyRelatedField(many=True, queryset=Unit.objects.all())
    successor = serializers.PrimaryKeyRelatedField(queryset=Unit.objects.all())
    date = serializers.DateField()
    note = serializers.CharField(required=False, allow_blank=True, max_length=1000)

    def validate_units(self, units):
        return list({unit.pk: unit for unit in units}.values())  # a unit named twice is merged once
