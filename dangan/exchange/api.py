"""/api/v1/exports/…: the web exports for API clients (token or session), same filters and restriction."""

import tempfile

from django.http import FileResponse, Http404, StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.views import APIView

from dangan.catalogue.models import Fonds
from dangan.exchange import exports
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
