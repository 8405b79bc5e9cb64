"""The catalog interchange format (shared/catalog/FORMAT.md) as validating
serializers: the one definition of a valid listing, used by the API, the
catalog import and the pages alike."""

from decimal import Decimal

from rest_framework import serializers

from exchange.accounts.models import Language
from exchange.regions import normalize_region, normalize_territory

from .models import AssetFormat, IpType, Medium
from .workflow import OFFERS_PER_LISTING


class StrictSerializer(serializers.Serializer):
    """Refuses fields it does not know, so `status`, `owner` or moderation
    fields sent by a client are an error rather than silently ignored."""

    def to_internal_value(self, data):
        unknown = sorted(set(data) - set(self.fields)) if isinstance(data, dict) else []
        errors = {name: ["this field is not accepted here"] for name in unknown}
        try:
            value = super().to_internal_value(data)
        except serializers.ValidationError as error:
            raise serializers.ValidationError({**errors, **error.detail}) from None
        if errors:
            raise serializers.ValidationError(errors)
        return value


def _unique(values: list) -> list:
    return list(dict.fromkeys(values))


class LicenseOfferInput(StrictSerializer):
    media = serializers.ListField(
        child=serializers.ChoiceField(choices=Medium.choices), min_length=1, max_length=10
    )
    territory = serializers.ListField(
        child=serializers.CharField(max_length=2, min_length=2), min_length=1, max_length=250
    )
    term_months = serializers.IntegerField(min_value=1, max_value=1200)
    exclusive = serializers.BooleanField(default=False)
    price_krw = serializers.IntegerField(min_value=0, max_value=10**13)
    royalty_pct = serializers.DecimalField(
        max_digits=5, decimal_places=2, min_value=Decimal(0), max_value=Decimal(50),
        allow_null=True, required=False, default=None,
    )

    def validate_media(self, value):
        return _unique(value)

    def validate_territory(self, value):
        try:
            return _unique([normalize_territory(code) for code in value])
        except ValueError as error:
            raise serializers.ValidationError(str(error)) from None

    def validate(self, attrs):
        if attrs["price_krw"] == 0 and attrs.get("royalty_pct") is None:
            raise serializers.ValidationError(
                {"price_krw": ["a price of 0 is allowed only with a royalty_pct"]}
            )
        return attrs


class ListingInput(StrictSerializer):
    external_id = serializers.CharField(max_length=100, required=False, allow_blank=True)
    title = serializers.CharField(max_length=200)
    summary = serializers.CharField(max_length=300, required=False, allow_blank=True)
    description = serializers.CharField(max_length=5000)
    language = serializers.ChoiceField(choices=Language.choices)
    ip_type = serializers.ChoiceField(choices=IpType.choices)
    region = serializers.CharField(max_length=5)
    tags = serializers.ListField(
        child=serializers.CharField(max_length=50), required=False, max_length=30
    )
    asset_formats = serializers.ListField(
        child=serializers.ChoiceField(choices=AssetFormat.choices), required=False, max_length=18
    )
    creator = serializers.CharField(max_length=120)
    copyright_registration_number = serializers.CharField(
        max_length=40, required=False, allow_blank=True
    )
    license_offers = LicenseOfferInput(
        many=True, required=False, max_length=OFFERS_PER_LISTING[1]
    )

    def validate_region(self, value):
        try:
            return normalize_region(value)
        except ValueError as error:
            raise serializers.ValidationError(str(error)) from None

    def validate_tags(self, value):
        return _unique(tag.strip() for tag in value if tag.strip())

    def validate_asset_formats(self, value):
        return _unique(value)


def listing_fields_from_input(data: dict) -> tuple[dict, list[dict] | None]:
    """Validated input -> (model field values, offers or None when not given)."""
    fields = dict(data)
    offers = fields.pop("license_offers", None)
    if "creator" in fields:
        fields["creator_name"] = fields.pop("creator")
    if offers is not None:
        offers = [
            {**{k: v for k, v in offer.items() if k != "territory"},
             "territories": offer["territory"]}
            for offer in offers
        ]
    return fields, offers
