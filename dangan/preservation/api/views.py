"""``/api/v1/items/{id}/files/`` (list, upload) and ``/api/v1/files/{id}/`` (metadata, events, content)."""

from django.core.exceptions import PermissionDenied
from django.http import FileResponse
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from dangan.catalogue.models import Item, Volume
from dangan.core.permissions import CHANGE, VIEW, record_denial
from dangan.preservation.api.serializers import DigitalFileSerializer, FileDetailSerializer, UploadSerializer
from dangan.preservation.models import DigitalFile
from dangan.preservation.services import IngestError, ingest_file
from dangan.preservation.storage import BlobMissing, get_storage


def _record(model, request, pk, action):
    """The item or volume, 404 if the user may not see it, 403 if they see it but may not change it."""
    try:
        return model.objects.restrict(request.user, action).get(pk=pk)
    except model.DoesNotExist:
        existing = model.objects.filter(pk=pk).first()
        if existing is not None:
            record_denial(action, existing, user=request.user)
            if action != VIEW and model.objects.restrict(request.user, VIEW).filter(pk=pk).exists():
                raise PermissionDenied from None
        raise NotFound() from None


class ItemFilesView(GenericAPIView):
    """The files of an item (``/items/{id}/files/``) or, in the subclass, of a volume."""

    model = Item
    serializer_class = DigitalFileSerializer
    parser_classes = [MultiPartParser, FormParser]
    queryset = DigitalFile.objects.none()

    def get(self, request, pk):
        record = _record(self.model, request, pk, VIEW)
        files = (
            DigitalFile.objects.restrict(request.user)
            .complete()
            .filter(**{self.field: record})
            .order_by("pk")
        )
        return Response(DigitalFileSerializer(files, many=True, context={"request": request}).data)

    @extend_schema(request={"multipart/form-data": UploadSerializer}, responses={201: DigitalFileSerializer})
    def post(self, request, pk):
        record = _record(self.model, request, pk, CHANGE)
        upload = UploadSerializer(data=request.data)
        upload.is_valid(raise_exception=True)
        data = upload.validated_data
        try:
            f = ingest_file(
                record,
                data["file"],
                data["file"].name,
                data["role"],
                user=request.user,
                expected_sha256=data.get("sha256"),
            )
        except IngestError as e:
            raise ValidationError({"file": [str(e)]}) from e
        return Response(
            DigitalFileSerializer(f, context={"request": request}).data, status=status.HTTP_201_CREATED
        )

    @property
    def field(self) -> str:
        return "item" if self.model is Item else "volume"


class VolumeFilesView(ItemFilesView):
    model = Volume


class FileView(GenericAPIView):
    serializer_class = FileDetailSerializer
    queryset = DigitalFile.objects.none()

    def get(self, request, pk):
        f = DigitalFile.objects.restrict(request.user).filter(pk=pk).first()
        if f is None:
            raise NotFound()
        return Response(FileDetailSerializer(f, context={"request": request}).data)


class FileContentView(GenericAPIView):
    queryset = DigitalFile.objects.none()

    @extend_schema(responses={(200, "application/octet-stream"): bytes})
    def get(self, request, pk):
        f = DigitalFile.objects.restrict(request.user).filter(pk=pk).first()
        if f is None:
            raise NotFound()
        try:
            stream = get_storage().open(f.storage_key)
        except BlobMissing:
            raise NotFound("the file is missing from storage") from None
        response = FileResponse(
            stream,
            as_attachment=True,
            filename=f.original_name,
            content_type=f.mime or "application/octet-stream",
        )
        response["Content-Length"] = str(f.size)
        response["Digest"] = f"sha-256={f.sha256}"
        return response
