from django.utils.translation import gettext as _
from rest_framework import serializers

from dangan.api.serializers import ValidatedModelSerializer
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
from dangan.core.permissions import CHANGE

RECORD_FIELDS = ["id", "reference_code", "fonds", "category", "year", "retention", "org_code", "number",
                 "title", "creator", "security_level", "control", "status", "remarks", "extra", "created_at",
                 "updated_at"]


class FondsSerializer(ValidatedModelSerializer):
    class Meta:
        model = Fonds
        fields = ["id", "number", "name", "unit", "custodian", "start_year", "end_year", "status",
                  "description"]


class RetentionSerializer(ValidatedModelSerializer):
    class Meta:
        model = Retention
        fields = ["id", "code", "name", "years", "active", "replaced_by", "order"]


class CategoryFieldSerializer(ValidatedModelSerializer):
    class Meta:
        model = CategoryField
        fields = ["id", "category", "key", "label", "field_type", "required", "choices", "max_length",
                  "order"]


class CategorySerializer(ValidatedModelSerializer):
    fields = CategoryFieldSerializer(many=True, read_only=True)

    class Meta:
        model = Category
        fields = ["id", "code", "name", "filing_level", "item_template", "volume_template",
                  "volume_item_template", "description", "active", "order", "fields"]


class ScheduleEntrySerializer(ValidatedModelSerializer):
    class Meta:
        model = ScheduleEntry
        fields = ["id", "schedule", "number", "description", "category", "retention", "keywords"]


class RetentionScheduleSerializer(ValidatedModelSerializer):
    entries = ScheduleEntrySerializer(many=True, read_only=True)

    class Meta:
        model = RetentionSchedule
        fields = ["id", "unit_type", "name", "basis", "entries"]


class RecordSerializer(ValidatedModelSerializer):
    """Items and volumes: ``number`` may be given on create (an imported catalogue), never changed."""

    def validate_number(self, value):
        if self.instance is not None and value != self.instance.number:
            raise serializers.ValidationError(_("顺序号由系统按档号分配，创建后不能修改"))
        return value


class VolumeSerializer(RecordSerializer):
    class Meta:
        model = Volume
        fields = RECORD_FIELDS + ["start_date", "end_date", "pages"]
        read_only_fields = ["reference_code", "created_at", "updated_at"]


class ItemSerializer(RecordSerializer):
    class Meta:
        model = Item
        fields = RECORD_FIELDS + ["volume", "document_number", "date", "pages"]
        read_only_fields = ["reference_code", "created_at", "updated_at"]
        extra_kwargs = {"year": {"required": False}, "retention": {"required": False},
                        "fonds": {"required": False}, "category": {"required": False}}

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        if request is not None:
            # Only volumes the user may file into can be named (as in the web form); others do not exist.
            fields["volume"].queryset = Volume.objects.restrict(request.user, CHANGE)
        return fields

    def validate(self, attrs):
        volume = attrs.get("volume", getattr(self.instance, "volume", None))
        if volume is not None:
            for name in ("fonds", "category", "year", "retention"):
                attrs.setdefault(name, getattr(volume, name))
        elif self.instance is None:
            missing = {name: [serializers.Field.default_error_messages["required"]]
                       for name in ("fonds", "category", "year", "retention") if attrs.get(name) is None}
            if missing:
                raise serializers.ValidationError(missing)
        return super().validate(attrs)
