"""/api/v1/exports/… and /api/v1/imports/: the web exports and the catalogue import for API clients (token or
session), with the same filters, restriction and permission checks as the pages."""

import tempfile

from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, StreamingHttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from dangan.catalogue.models import Fonds
from dangan.exchange import exports, services
from dangan.exchange.forms import UploadForm
from dangan.exchange.readers import FileRejected
from dangan.exchange.views import ead_response


class ItemExportAPIView(APIView):
    """The items the caller may see, filtered like /api/v1/items/, as .csv (UTF-8 with BOM) or .xlsx."""

    kind = "csv"

    @extend_schema(
        responses={
            (200, "text/csv"): OpenApiTypes.BINARY,
            (200, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"): OpenApiTypes.BINARY,
        },
        tags=["exports"],
    )
    def get(self, request):
        items = exports.items_for_export(request.user, request.query_params, request)
        header, rows = exports.export_items(items)
        if self.kind == "xlsx":
            handle = tempfile.NamedTemporaryFile(suffix=".xlsx")
            exports.write_xlsx(header, rows, handle.name)
            return FileResponse(open(handle.name, "rb"), as_attachment=True, filename="items.xlsx")
        response = StreamingHttpResponse(
            exports.csv_chunks(header, rows), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = 'attachment; filename="items.csv"'
        return response


class FondsEadAPIView(APIView):
    """A fonds the caller may see as EAD3 XML, describing only the items they may see."""

    @extend_schema(responses={(200, "application/xml"): OpenApiTypes.BINARY}, tags=["exports"])
    def get(self, request, pk):
        fonds = Fonds.objects.restrict(request.user).filter(pk=pk).first()
        if fonds is None:
            raise Http404
        return ead_response(request.user, fonds)


class ImportAPIView(APIView):
    """Upload a catalogue file and queue its import (or, with ``dry_run``, its validation) as a job.

    The same form, permission check and background job as the import page: the answer names the batch and
    the job, whose page (or the batch's) shows progress, the outcome and the error report.
    """

    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        request={
            "multipart/form-data": inline_serializer(
                "ImportRequest",
                {
                    "file": serializers.FileField(),
                    "fonds": serializers.IntegerField(),
                    "category": serializers.IntegerField(),
                    "key": serializers.CharField(required=False),
                    "dry_run": serializers.BooleanField(required=False),
                },
            )
        },
        responses={
            202: inline_serializer(
                "ImportQueued",
                {"batch": serializers.IntegerField(), "job": serializers.IntegerField(),
                 "dry_run": serializers.BooleanField()},
            ),
            400: OpenApiResponse(description="the form's errors, by field"),
            403: OpenApiResponse(description="the caller may not file into any fonds, or not into this one"),
        },
        tags=["imports"],
    )
    def post(self, request):
        if not Fonds.objects.restrict(request.user, "file").exists():
            raise PermissionDenied(_("只有能向全宗归档的档案员和档案局工作人员可以导入目录"))
        data = request.data.copy()
        data.setdefault("key", UploadForm.base_fields["key"].initial)
        form = UploadForm(data, request.FILES, user=request.user)
        if not form.is_valid():
            return Response(form.errors.get_json_data(), status=status.HTTP_400_BAD_REQUEST)
        cleaned = form.cleaned_data
        try:
            batch = services.start_batch(
                cleaned["file"], fonds=cleaned["fonds"], category=cleaned["category"], user=request.user,
                key=cleaned["key"],
            )
        except FileRejected as e:
            return Response({"file": [{"message": str(e)}]}, status=status.HTTP_400_BAD_REQUEST)
        dry_run = str(request.data.get("dry_run", "")).lower() in ("1", "true", "yes", "on")
        job = services.queue(batch, commit=not dry_run)
        answer = {"batch": batch.pk, "job": job.pk, "dry_run": dry_run}
        return Response(answer, status=status.HTTP_202_ACCEPTED)
