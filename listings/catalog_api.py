"""Catalog import over HTTP, for staff: a thin door to services.catalog_import."""

from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import permissions, serializers
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from . import services

# About 1.2 kB a line in the dev catalog: 32 MB holds some 25,000 listings, well past the
# 10,000-line files the import is measured with, while keeping one request bounded.
MAX_CATALOG_BYTES = 32 * 1024 * 1024


class CatalogImportInput(serializers.Serializer):
    file = serializers.FileField(
        help_text="JSON Lines (.jsonl/.json/.ndjson) or CSV (.csv); without either extension "
                  "a file starting with '{' is read as JSON Lines. UTF-8, with or without BOM."
    )
    owner = serializers.EmailField(
        required=False,
        help_text="Creator account owning every listing; without it each distinct `creator` "
                  "becomes or matches a creator account.",
    )
    publish = serializers.BooleanField(
        default=False, help_text="Publish every listing, skipping the review queue."
    )

    def validate_file(self, value):
        if value.size > MAX_CATALOG_BYTES:
            raise serializers.ValidationError(
                f"at most {MAX_CATALOG_BYTES // (1024 * 1024)} MB; split the catalog"
            )
        return value


class CatalogImportReportSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    published = serializers.IntegerField()
    accounts_created = serializers.IntegerField()
    created_ids = serializers.ListField(child=serializers.IntegerField())
    updated_ids = serializers.ListField(child=serializers.IntegerField())
    unchanged_ids = serializers.ListField(child=serializers.IntegerField())
    published_ids = serializers.ListField(child=serializers.IntegerField())
    accounts_created_ids = serializers.ListField(child=serializers.IntegerField())


INVALID_CATALOG = OpenApiResponse(
    description=(
        "Nothing was written. `code` is `invalid_catalog` and `fields` maps "
        "`line N: field` (field named as in the listings API, e.g. "
        "`license_offers.0.royalty_pct`; `non_field_errors` for a line that is not a JSON "
        "object or valid CSV, `file` for the file as a whole) to its reasons. A bad "
        "`owner` or `file` form field gives the usual `invalid` shape."
    ),
    examples=[OpenApiExample("invalid_catalog", value={
        "code": "invalid_catalog",
        "message": "The catalog has 2 problems; nothing was imported.",
        "fields": {
            "line 3: region": ["unknown region code 'KR-99'; use an ISO 3166-2:KR code such "
                               "as KR-29"],
            "line 7: license_offers.0.royalty_pct": [
                "Ensure this value is less than or equal to 50."
            ],
        },
    })],
)


class CatalogImportView(APIView):
    """Import a catalog file all-or-nothing (staff only)."""

    permission_classes = [permissions.IsAdminUser]
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        request={"multipart/form-data": CatalogImportInput},
        responses={200: CatalogImportReportSerializer, 400: INVALID_CATALOG},
        summary="Import a catalog file",
    )
    def post(self, request):
        data = CatalogImportInput(data=request.data)
        data.is_valid(raise_exception=True)
        upload = data.validated_data["file"]
        email = data.validated_data.get("owner")
        report = services.catalog_import(
            importer=request.user,
            file=upload,
            name=upload.name,
            owner=services.catalog_owner_get(email) if email else None,
            publish=data.validated_data["publish"],
        )
        return Response(CatalogImportReportSerializer(report).data)
