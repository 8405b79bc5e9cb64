"""Exact filters for browsing published listings."""

import django_filters
from django.db.models import Exists, OuterRef, Q
from rest_framework.exceptions import ValidationError

from exchange.accounts.models import Language
from exchange.regions import WORLDWIDE, normalize_region, normalize_territory

from .models import AssetFormat, IpType, LicenseOffer, Listing, Medium

ORDERINGS = {
    "newest": ["-published_at", "-id"],
    "oldest": ["published_at", "id"],
    "title": ["title", "id"],
    "price_asc": ["min_price_krw", "id"],
    "price_desc": ["-min_price_krw", "-id"],
}


def _offers_where(**conditions) -> Exists:
    return Exists(LicenseOffer.objects.filter(listing=OuterRef("pk"), **conditions))


class ListingFilter(django_filters.FilterSet):
    ip_type = django_filters.MultipleChoiceFilter(choices=IpType.choices)
    region = django_filters.CharFilter(method="filter_region")
    language = django_filters.ChoiceFilter(choices=Language.choices)
    asset_format = django_filters.ChoiceFilter(choices=AssetFormat.choices, method="filter_format")
    medium = django_filters.ChoiceFilter(choices=Medium.choices, method="filter_medium")
    territory = django_filters.CharFilter(method="filter_territory")
    min_price_krw = django_filters.NumberFilter(method="filter_min_price", min_value=0)
    max_price_krw = django_filters.NumberFilter(method="filter_max_price", min_value=0)
    # A choice, not a BooleanFilter: that one reads any unknown value as "not given".
    exclusive_available = django_filters.TypedChoiceFilter(
        choices=[(v, v) for v in ("true", "false", "1", "0")],
        coerce=lambda value: value in ("true", "1"),
        method="filter_exclusive",
    )
    text = django_filters.CharFilter(method="filter_text", max_length=200)
    ordering = django_filters.ChoiceFilter(
        choices=[(name, name) for name in ORDERINGS], method="filter_ordering"
    )

    class Meta:
        model = Listing
        fields = []

    def filter_region(self, queryset, name, value):
        codes = []
        for code in value.split(","):
            try:
                codes.append(normalize_region(code))
            except ValueError as error:
                raise ValidationError({"region": [str(error)]}) from None
        return queryset.filter(region__in=codes)

    def filter_format(self, queryset, name, value):
        return queryset.filter(asset_formats__has_item=value)

    def filter_medium(self, queryset, name, value):
        return queryset.filter(_offers_where(media__has_item=value))

    def filter_territory(self, queryset, name, value):
        try:
            code = normalize_territory(value)
        except ValueError as error:
            raise ValidationError({"territory": [str(error)]}) from None
        # An offer for the whole world covers every country.
        covers = Q(territories__has_item=code) | Q(territories__has_item=WORLDWIDE)
        return queryset.filter(Exists(LicenseOffer.objects.filter(covers, listing=OuterRef("pk"))))

    # Both price bounds apply to the same offer: one offer must lie in the range.
    def filter_min_price(self, queryset, name, value):
        upper = self.form.cleaned_data.get("max_price_krw")
        bounds = {"price_krw__gte": value}
        if upper is not None:
            bounds["price_krw__lte"] = upper
        return queryset.filter(_offers_where(**bounds))

    def filter_max_price(self, queryset, name, value):
        if self.form.cleaned_data.get("min_price_krw") is not None:
            return queryset  # applied together with the lower bound
        return queryset.filter(_offers_where(price_krw__lte=value))

    def filter_exclusive(self, queryset, name, value):
        return queryset.filter(_offers_where(exclusive=True)) if value else queryset

    def filter_text(self, queryset, name, value):
        condition = Q()
        for field in ("title", "summary", "description", "creator_name"):
            condition |= Q(**{f"{field}__icontains": value})
        return queryset.filter(condition)

    def filter_ordering(self, queryset, name, value):
        return queryset.order_by(*ORDERINGS[value])

    @property
    def qs(self):
        queryset = super().qs
        if not self.form.cleaned_data.get("ordering"):
            queryset = queryset.order_by(*ORDERINGS["newest"])
        return queryset
