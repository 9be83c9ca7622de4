from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from dangan.search import services
from dangan.search.backends.base import DATE, RELEVANCE


class SearchHitSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="item.pk")
    reference_code = serializers.CharField(source="item.reference_code")
    title = serializers.CharField(source="item.title")
    title_highlighted = serializers.CharField(source="title", help_text="HTML: escaped, matches in <mark>")
    snippets = serializers.SerializerMethodField()
    fonds = serializers.IntegerField(source="item.fonds_id")
    year = serializers.IntegerField(source="item.year")
    date = serializers.DateField(source="item.date")
    url = serializers.CharField(source="item.get_absolute_url")

    def get_snippets(self, hit) -> list[dict]:
        return [{"field": label, "html": html} for label, html in hit.snippets]


PARAMETERS = [
    OpenApiParameter("q", str, description='检索词: 空格分隔须同时包含; "短语"; 题名: 责任者: 文号:'),
    OpenApiParameter("sort", str, enum=[RELEVANCE, DATE]),
    OpenApiParameter("page", int),
    OpenApiParameter("page_size", int),
    OpenApiParameter("facets", bool, description="include facet counts (default true)"),
    *[OpenApiParameter(name, OpenApiTypes.STR) for name in services.FILTER_PARAMS],
]


class SearchAPIView(APIView):
    """Full-text search over the items the caller may see, with facet counts."""

    @extend_schema(parameters=PARAMETERS, responses={200: OpenApiTypes.OBJECT, 400: OpenApiTypes.OBJECT})
    def get(self, request):
        params = request.query_params
        try:
            page_size = int(params.get("page_size", 20))
            page = int(params.get("page", 1))
        except ValueError:
            return Response({"detail": _("page 和 page_size 必须是整数")}, status=400)
        results = services.search(
            request.user,
            params.get("q", ""),
            params,
            page,
            page_size,
            sort=params.get("sort", RELEVANCE),
            facets=params.get("facets", "true").lower() not in ("false", "0"),
        )
        if results.error:
            return Response({"detail": results.error}, status=400)
        return Response(
            {
                "count": results.total,
                # True when count and facet counts are estimates (约), for very large matches.
                "count_approximate": results.approximate,
                "page": results.page.number,
                "pages": results.page.paginator.num_pages,
                "results": SearchHitSerializer(results.hits, many=True).data,
                "facets": {
                    name: [{"value": v.value, "label": v.label, "count": v.count} for v in values]
                    for name, values in results.facets.items()
                },
            }
        )
