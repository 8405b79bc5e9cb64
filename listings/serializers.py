"""How listings read over the API."""

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from exchange.regions import REGIONS

from .models import LicenseOffer, Listing, MediaAsset
from .selectors import can_see_private_media


class LicenseOfferSerializer(serializers.ModelSerializer):
    territory = serializers.ListField(source="territories", child=serializers.CharField())

    class Meta:
        model = LicenseOffer
        fields = ["id", "media", "territory", "term_months", "exclusive", "price_krw",
                  "royalty_pct"]


class MediaAssetSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    thumbnail_url = serializers.SerializerMethodField()

    class Meta:
        model = MediaAsset
        fields = ["id", "role", "kind", "title", "original_name", "content_type", "size",
                  "sha256", "url", "thumbnail_url", "created_at"]

    def _absolute(self, path: str) -> str:
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path

    def get_url(self, media: MediaAsset) -> str:
        return self._absolute(reverse("media-download", args=[media.pk]))

    def get_thumbnail_url(self, media: MediaAsset) -> str | None:
        if not media.thumbnail:
            return None
        return self._absolute(reverse("media-download", args=[media.pk]) + "?thumbnail=1")


class OwnerSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    display_name = serializers.CharField()


class ListingSerializer(serializers.ModelSerializer):
    creator = serializers.CharField(source="creator_name")
    owner = OwnerSerializer()
    region_name = serializers.SerializerMethodField()
    license_offers = LicenseOfferSerializer(source="offers", many=True)
    media = serializers.SerializerMethodField()
    cover = serializers.SerializerMethodField()

    class Meta:
        model = Listing
        fields = ["id", "external_id", "title", "summary", "description", "language", "ip_type",
                  "region", "region_name", "tags", "asset_formats", "creator",
                  "copyright_registration_number", "owner", "status", "moderation_reason",
                  "cover", "media", "license_offers", "created_at", "updated_at",
                  "submitted_at", "published_at"]

    def _viewer_sees_private(self, listing: Listing) -> bool:
        request = self.context.get("request")
        return can_see_private_media(getattr(request, "user", None), listing)

    def get_region_name(self, listing: Listing) -> dict:
        region = REGIONS[listing.region]
        return {"ko": region.name_ko, "en": region.name_en}

    def get_media(self, listing: Listing) -> list[dict]:
        private = self._viewer_sees_private(listing)
        visible = [m for m in listing.media.all() if private or m.is_public]
        return MediaAssetSerializer(visible, many=True, context=self.context).data

    def get_cover(self, listing: Listing) -> dict | None:
        cover = next((m for m in listing.media.all() if m.role == "cover"), None)
        return MediaAssetSerializer(cover, context=self.context).data if cover else None

    def to_representation(self, listing: Listing) -> dict:
        data = super().to_representation(listing)
        if not self._viewer_sees_private(listing):
            # Decisions, evidence numbers and workflow dates are the owner's and staff's business.
            for name in ("moderation_reason", "copyright_registration_number", "submitted_at"):
                data.pop(name, None)
        return data


class ListingSummarySerializer(ListingSerializer):
    """A lighter row for lists: no description body, no media list."""

    class Meta(ListingSerializer.Meta):
        fields = ["id", "external_id", "title", "summary", "language", "ip_type", "region",
                  "region_name", "tags", "asset_formats", "creator", "owner", "status",
                  "moderation_reason", "copyright_registration_number", "submitted_at",
                  "cover", "license_offers", "published_at", "updated_at"]


class ReasonInput(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class MediaUploadInput(serializers.Serializer):
    file = serializers.FileField()
    role = serializers.ChoiceField(choices=["cover", "gallery", "deliverable", "evidence"])
    title = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class AuditEntrySerializer(serializers.Serializer):
    at = serializers.DateTimeField(source="created_at")
    action = serializers.CharField()
    by = serializers.CharField(source="actor.display_name", default=None)
    from_state = serializers.CharField()
    to_state = serializers.CharField()
    reason = serializers.CharField()


class DuplicateAlertSerializer(serializers.Serializer):
    """A possible infringement found when the listing was submitted (search app)."""

    id = serializers.IntegerField()
    similar_listing = serializers.IntegerField(source="similar_listing_id")
    similar_title = serializers.CharField(source="similar_listing.title")
    similar_owner = serializers.CharField(source="similar_listing.owner.display_name")
    similarity = serializers.FloatField()
    status = serializers.CharField()


class ModerationListingSerializer(ListingSerializer):
    """What a moderator reviews: the listing and its open near-duplicate alerts."""

    duplicate_alerts = serializers.SerializerMethodField()

    class Meta(ListingSerializer.Meta):
        fields = [*ListingSerializer.Meta.fields, "duplicate_alerts"]

    @extend_schema_field(DuplicateAlertSerializer(many=True))
    def get_duplicate_alerts(self, listing: Listing) -> list[dict]:
        # prefetched by selectors.moderation_queue and selectors.listing_for_review
        return DuplicateAlertSerializer(listing.open_duplicate_alerts, many=True).data
