from rest_framework import serializers

from dangan.access.choices import Mode
from dangan.access.models import NOTE_MAX, AccessRequest, Decision, Purpose


class DecisionSerializer(serializers.ModelSerializer):
    by = serializers.CharField(source="by.__str__", read_only=True)

    class Meta:
        model = Decision
        fields = ["step", "unit", "by", "approved", "reason", "at"]


class AccessRequestSerializer(serializers.ModelSerializer):
    items = serializers.SerializerMethodField()
    purpose = serializers.CharField(source="purpose.name", read_only=True)
    decisions = DecisionSerializer(many=True, read_only=True)

    class Meta:
        model = AccessRequest
        fields = [
            "id",
            "number",
            "items",
            "purpose",
            "mode",
            "note",
            "status",
            "allow_download",
            "created_at",
            "decided_at",
            "valid_until",
            "decisions",
        ]

    def get_items(self, obj) -> list[dict]:
        return [
            {"id": ri.item_id, "reference_code": ri.item.reference_code}
            for ri in obj.request_items.select_related("item")
        ]


class NewRequestSerializer(serializers.Serializer):
    items = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**62), min_length=1, max_length=200
    )
    purpose = serializers.PrimaryKeyRelatedField(queryset=Purpose.objects.filter(active=True))
    mode = serializers.ChoiceField(choices=Mode.choices)
    note = serializers.CharField(max_length=NOTE_MAX, required=False, allow_blank=True, default="")


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=NOTE_MAX, required=False, allow_blank=True, default="")


class VerifyRequestSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=40)
    file = serializers.FileField(required=False, help_text="the PDF to compare with the issued one")


class VerificationSerializer(serializers.Serializer):
    valid = serializers.BooleanField()
    code = serializers.CharField()
    digest_matches = serializers.BooleanField(allow_null=True)
    reference_code = serializers.CharField()
    title = serializers.CharField()
    pages = serializers.IntegerField()
    issued_at = serializers.DateTimeField()
    issued_by = serializers.CharField()
    revoked = serializers.BooleanField()
