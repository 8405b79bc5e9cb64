"""Agreements, signatures, certificates, verification and deliverable downloads
over HTTP: thin views over licensing.selectors and licensing.services."""

from __future__ import annotations

import datetime as dt
import json

from django.conf import settings
from django.http import FileResponse, HttpResponse
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from listings.inputs import StrictSerializer

from . import selectors, services
from .documents.odrl import agreement_odrl
from .documents.pdf import agreement_pdf
from .documents.qr import qr_svg
from .models import Agreement, Certificate, Signature


class SignatureSerializer(serializers.ModelSerializer):
    signer = serializers.CharField(source="signer.display_name")

    class Meta:
        model = Signature
        fields = ["party", "signer", "signed_at", "sha256"]


class AgreementSerializer(serializers.ModelSerializer):
    document = serializers.SerializerMethodField()
    signatures = SignatureSerializer(many=True, read_only=True)
    fully_signed = serializers.SerializerMethodField()
    links = serializers.SerializerMethodField()

    class Meta:
        model = Agreement
        fields = ["id", "deal", "sha256", "canonical_json", "document", "created_at",
                  "signatures", "fully_signed", "links"]

    def get_document(self, agreement) -> dict:
        return json.loads(agreement.canonical_json)

    def get_fully_signed(self, agreement) -> bool:
        return {s.party for s in agreement.signatures.all()} == {"creator", "producer"}

    def get_links(self, agreement) -> dict:
        request = self.context["request"]
        return {name: request.build_absolute_uri(reverse(view, args=[agreement.pk]))
                for name, view in (("page", "agreement-page"), ("pdf", "agreement-pdf"),
                                   ("odrl", "agreement-odrl"), ("sign", "agreement-sign"))}


class SignInput(StrictSerializer):
    sha256 = serializers.CharField(max_length=128)


class AgreementViewSet(viewsets.GenericViewSet):
    """The agreement of an accepted deal: its parties (and staff) only, others 404."""

    permission_classes = [permissions.IsAuthenticated]
    serializer_class = AgreementSerializer
    queryset = Agreement.objects.none()

    def get_object(self):
        return selectors.agreement_get(user=self.request.user, pk=self.kwargs["pk"])

    def _render(self, agreement, status_code=status.HTTP_200_OK):
        agreement = selectors.agreement_get(user=self.request.user, pk=agreement.pk)
        return Response(AgreementSerializer(agreement, context={"request": self.request}).data,
                        status=status_code)

    @extend_schema(responses=AgreementSerializer)
    def retrieve(self, request, pk=None):
        return self._render(self.get_object())

    @extend_schema(request=SignInput, responses={201: AgreementSerializer})
    @action(detail=True, methods=["post"])
    def sign(self, request, pk=None):
        """Sign by explicit click-through: send the SHA-256 of the agreement you read."""
        agreement = self.get_object()
        data = SignInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.agreement_sign(
            actor=request.user, agreement=agreement, sha256=data.validated_data["sha256"],
            ip_address=request.META.get("REMOTE_ADDR"),
            user_agent=request.META.get("HTTP_USER_AGENT", ""),
        )
        return self._render(agreement, status.HTTP_201_CREATED)

    @extend_schema(responses={(200, "application/pdf"): bytes})
    @action(detail=True)
    def pdf(self, request, pk=None):
        agreement = self.get_object()
        response = HttpResponse(agreement_pdf(agreement), content_type="application/pdf")
        response["Content-Disposition"] = (
            f'inline; filename="agreement-{agreement.deal_id}.pdf"')
        return response

    @extend_schema(responses={(200, "application/ld+json"): dict})
    @action(detail=True)
    def odrl(self, request, pk=None):
        agreement = self.get_object()
        policy = agreement_odrl(agreement, base_url=request.build_absolute_uri("/"))
        return HttpResponse(json.dumps(policy, ensure_ascii=False, indent=2),
                            content_type="application/ld+json; charset=utf-8")


class VerificationSerializer(serializers.Serializer):
    """What anyone holding a certificate's code may learn, and nothing more."""

    ip = serializers.CharField()
    licensee = serializers.CharField()
    media = serializers.ListField(child=serializers.CharField())
    territories = serializers.ListField(child=serializers.CharField())
    start_date = serializers.DateField()
    end_date = serializers.DateField()
    status = serializers.ChoiceField(choices=["active", "expired", "revoked"])


def verification(certificate: Certificate) -> dict:
    deal = certificate.deal
    agreement = json.loads(deal.agreement.canonical_json)
    licensee = agreement["licensee"]
    return {
        "ip": agreement["listing"]["title"],
        "licensee": licensee["organisation"] or licensee["display_name"],
        "media": agreement["terms"]["media"],
        "territories": agreement["terms"]["territories"],
        "start_date": deal.start_date,
        "end_date": deal.end_date,
        "status": selectors.licence_status(deal),
    }


class VerifyView(APIView):
    permission_classes = [permissions.AllowAny]
    authentication_classes: list = []

    @extend_schema(responses=VerificationSerializer)
    def get(self, request, code):
        certificate = selectors.certificate_by_code(code)
        return Response(VerificationSerializer(verification(certificate)).data)


def certificate_links(request, certificate: Certificate) -> dict:
    return {
        "code": certificate.code,
        "issued_at": certificate.issued_at,
        "verify_page": request.build_absolute_uri(
            reverse("verify-page", args=[certificate.code])),
        "verify_api": request.build_absolute_uri(reverse("verify-api", args=[certificate.code])),
        "qr_svg": request.build_absolute_uri(reverse("verify-qr", args=[certificate.code])),
    }


def qr_view(request, code):
    certificate = selectors.certificate_by_code(code)
    url = request.build_absolute_uri(reverse("verify-page", args=[certificate.code]))
    return HttpResponse(qr_svg(url), content_type="image/svg+xml")


class DeliverableSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    original_name = serializers.CharField()
    content_type = serializers.CharField()
    size = serializers.IntegerField()
    download_url = serializers.URLField()
    expires_at = serializers.DateTimeField()


def deliverable_rows(request, deal) -> list[dict]:
    expires_at = timezone.now() + dt.timedelta(
        minutes=settings.LICENSING_DOWNLOAD_LINK_MINUTES)
    rows = []
    for media in selectors.deliverables_of(deal=deal):
        token = services.deliverable_link(user=request.user, deal=deal, media=media)
        rows.append({
            "id": media.pk, "title": media.title, "original_name": media.original_name,
            "content_type": media.content_type, "size": media.size,
            "download_url": request.build_absolute_uri(
                reverse("deliverable-download", args=[token])),
            "expires_at": expires_at,
        })
    return rows


class DeliverableDownloadView(APIView):
    """A licensed deliverable by an expiring link; the licence is checked again here."""

    permission_classes = [permissions.AllowAny]
    authentication_classes: list = []

    @extend_schema(responses={(200, "application/octet-stream"): bytes})
    def get(self, request, token):
        media = selectors.deliverable_from_token(token)
        response = FileResponse(media.file.open("rb"), content_type=media.content_type,
                                as_attachment=True, filename=media.original_name)
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-store"
        return response
