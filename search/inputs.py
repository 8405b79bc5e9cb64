"""What a production brief may say: the one definition used by the recommend API, the
saved briefs (search.briefs) and the brief page alike."""

from django.conf import settings
from rest_framework import serializers

from exchange.regions import normalize_region, normalize_territory
from listings.inputs import StrictSerializer
from listings.models import IpType, Medium

MAX_LIMIT = 100
# Far above any real budget (₩10 trillion), far below what the database column holds.
MAX_BUDGET_KRW = 10**13


class BriefInput(serializers.Serializer):
    text = serializers.CharField(max_length=settings.SEARCH_MAX_QUERY_CHARS)
    media = serializers.ListField(child=serializers.ChoiceField(choices=Medium.choices),
                                  required=False, default=list, max_length=10)
    territory = serializers.CharField(required=False, allow_blank=True, max_length=2)
    start = serializers.DateField(required=False)
    end = serializers.DateField(required=False)
    budget_krw = serializers.IntegerField(required=False, min_value=0)
    preferred_regions = serializers.ListField(child=serializers.CharField(max_length=5),
                                              required=False, default=list, max_length=20)
    ip_type = serializers.CharField(required=False, allow_blank=True)
    exclusive = serializers.BooleanField(required=False, default=False)
    limit = serializers.IntegerField(min_value=1, max_value=MAX_LIMIT, default=20)

    def validate(self, attrs):
        start, end = attrs.get("start"), attrs.get("end")
        if (start is None) != (end is None):
            raise serializers.ValidationError({"end": ["give both start and end, or neither"]})
        if start and end and end < start:
            raise serializers.ValidationError({"end": ["must not be before start"]})
        return attrs


class CheckedBriefInput(StrictSerializer, BriefInput):
    """The brief of the pages and of saved briefs: BriefInput (the recommend API's, which
    keeps accepting fields it does not know) made strict, so unknown fields, codes and types
    are refused field by field and kept in their normal form."""

    start = serializers.DateField(required=False, allow_null=True)
    end = serializers.DateField(required=False, allow_null=True)
    budget_krw = serializers.IntegerField(required=False, allow_null=True, min_value=0,
                                          max_value=MAX_BUDGET_KRW)
    ip_type = serializers.ChoiceField(choices=IpType.choices, required=False, allow_blank=True)

    def validate_media(self, value):
        return list(dict.fromkeys(value))

    def validate_territory(self, value):
        if not value:
            return ""
        try:
            return normalize_territory(value)
        except ValueError as error:
            raise serializers.ValidationError(str(error)) from None

    def validate_preferred_regions(self, value):
        try:
            return list(dict.fromkeys(normalize_region(code) for code in value))
        except ValueError as error:
            raise serializers.ValidationError(str(error)) from None


class SavedBriefInput(CheckedBriefInput):
    """A brief to keep: without `limit`, with a title. A saved brief always runs."""

    title = serializers.CharField(max_length=200)
    limit = None

    def validate_title(self, value):
        return value.strip()
