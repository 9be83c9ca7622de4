from rest_framework import serializers

from dangan.preservation.models import DigitalFile, PreservationEvent


class PreservationEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = PreservationEvent
        fields = ["event_type", "at", "agent", "outcome", "detail"]


class DigitalFileSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    content_url = serializers.SerializerMethodField()

    class Meta:
        model = DigitalFile
        fields = [
            "id",
            "url",
            "content_url",
            "item",
            "volume",
            "original_name",
            "size",
            "sha256",
            "sm3",
            "mime",
            "puid",
            "format_name",
            "role",
            "status",
            "text_status",
            "characterisation",
            "created_at",
        ]

    def get_url(self, obj) -> str:
        return self._absolute(f"/api/v1/files/{obj.pk}/")

    def get_content_url(self, obj) -> str:
        return self._absolute(f"/api/v1/files/{obj.pk}/content/")

    def _absolute(self, path):
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path


class FileDetailSerializer(DigitalFileSerializer):
    events = PreservationEventSerializer(many=True, read_only=True)

    class Meta(DigitalFileSerializer.Meta):
        fields = [*DigitalFileSerializer.Meta.fields, "events"]


class UploadSerializer(serializers.Serializer):
    file = serializers.FileField()
    role = serializers.ChoiceField(choices=DigitalFile._meta.get_field("role").choices, default="original")
    sha256 = serializers.RegexField(
        r"^[0-9a-fA-F]{64}$",
        required=False,
        help_text="the client's SHA-256 of the file; the upload is refused if it differs",
    )
