"""/api/v1/access/…: requests and their approval; /api/v1/certificates/verify/: public verification."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.generics import ListAPIView
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from dangan.access import certificates
from dangan.access.api.serializers import (
    AccessRequestSerializer,
    NewRequestSerializer,
    ReasonSerializer,
    VerificationSerializer,
    VerifyRequestSerializer,
)
from dangan.access.models import AccessRequest, display_name


class RequestListView(ListAPIView):
    serializer_class = AccessRequestSerializer
    filterset_fields = ["status", "mode"]

    def get_queryset(self):
        return AccessRequest.objects.restrict(self.request.user).select_related("purpose").order_by("-pk")

    @extend_schema(request=NewRequestSerializer, responses={201: AccessRequestSerializer})
    def post(self, request):
        data = NewRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        obj = AccessRequest.submit(
            request.user, values["items"], values["purpose"], values["mode"], values["note"]
        )
        return Response(AccessRequestSerializer(obj).data, status=status.HTTP_201_CREATED)


class RequestView(APIView):
    @extend_schema(responses=AccessRequestSerializer)
    def get(self, request, pk):
        obj = get_object_or_404(AccessRequest.objects.restrict(request.user), pk=pk)
        return Response(AccessRequestSerializer(obj).data)


class DecideView(APIView):
    approve = True

    @extend_schema(request=ReasonSerializer, responses=AccessRequestSerializer)
    def post(self, request, pk):
        obj = get_object_or_404(AccessRequest.objects.restrict(request.user), pk=pk)
        data = ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        reason = data.validated_data["reason"]
        if self.approve:
            obj.approve(by=request.user, reason=reason)
        else:
            obj.reject(by=request.user, reason=reason)
        return Response(AccessRequestSerializer(obj).data)


class VerifyView(APIView):
    """Anyone may check a code, and optionally the digest of a copy they hold (multipart field ``file``)."""

    permission_classes = [AllowAny]
    authentication_classes = []
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    @extend_schema(parameters=[OpenApiParameter("code", str)], responses=VerificationSerializer)
    def get(self, request):
        return self._answer(certificates.verify(str(request.query_params.get("code", ""))[:40]))

    @extend_schema(request=VerifyRequestSerializer, responses=VerificationSerializer)
    def post(self, request):
        upload = request.FILES.get("file")
        if upload is not None and upload.size > 30 * 1024 * 1024:
            return Response({"detail": "file too large"}, status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE)
        result = certificates.verify(
            str(request.data.get("code", ""))[:40], upload.read() if upload else None
        )
        return self._answer(result)

    def _answer(self, result):
        if result.certificate is None:
            return Response(
                {"valid": False, "detail": "no certificate has this code"}, status=status.HTTP_404_NOT_FOUND
            )
        c = result.certificate
        return Response(
            {
                "valid": result.valid,
                "code": c.code,
                "digest_matches": result.digest_matches,
                "reference_code": c.item.reference_code,
                "title": c.item.title,
                "pages": c.pages,
                "issued_at": c.issued_at,
                "issued_by": display_name(c.issued_by),
                "revoked": c.revoked,
            }
        )
