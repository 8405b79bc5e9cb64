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


def offer_condition(
    *,
    medium: str | None = None,
    territory: str | None = None,
    min_price_krw: int | None = None,
    max_price_krw: int | None = None,
    exclusive: bool = False,
) -> Q:
    """What ONE offer must satisfy: a producer asking for games in Japan under
    ₩5M wants an offer that gives exactly that, not a game offer for Korea and
    a film offer for Japan. `territory` is a normalised code; an offer for the
    whole world covers every country."""
    condition = Q()
    if medium:
        condition &= Q(media__has_item=medium)
    if territory:
        condition &= Q(territories__has_item=territory) | Q(territories__has_item=WORLDWIDE)
    if min_price_krw is not None:
        condition &= Q(price_krw__gte=min_price_krw)
    if max_price_krw is not None:
        condition &= Q(price_krw__lte=max_price_krw)
    if exclusive:
        condition &= Q(exclusive=True)
    return condition


def with_offer(queryset, condition: Q):
    """Listings having at least one offer that satisfies the condition."""
    if not condition:
        return queryset
    return queryset.filter(Exists(LicenseOffer.objects.filter(condition, listing=OuterRef("pk"))))


class ListingFilter(django_filters.FilterSet):
    ip_type = django_filters.MultipleChoiceFilter(choices=IpType.choices)
    region = django_filters.CharFilter(method="filter_region")
    language = django_filters.ChoiceFilter(choices=Language.choices)
    asset_format = django_filters.ChoiceFilter(choices=AssetFormat.choices, method="filter_format")
    medium = django_filters.ChoiceFilter(choices=Medium.choices, method="filter_offer")
    territory = django_filters.CharFilter(method="filter_offer")
    min_price_krw = django_filters.NumberFilter(method="filter_offer", min_value=0)
    max_price_krw = django_filters.NumberFilter(method="filter_offer", min_value=0)
    # A choice, not a BooleanFilter: that one reads any unknown value as "not given".
    exclusive_available = django_filters.TypedChoiceFilter(
        choices=[(v, v) for v in ("true", "false", "1", "0")],
        coerce=lambda value: value in ("true", "1"),
        method="filter_offer",
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

    def filter_offer(self, queryset, name, value):
        return queryset  # offer terms apply together, in filter_queryset

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        data = self.form.cleaned_data
        territory = data.get("territory")
        if territory:
            try:
                territory = normalize_territory(territory)
            except ValueError as error:
                raise ValidationError({"territory": [str(error)]}) from None
        condition = offer_condition(
            medium=data.get("medium"),
            territory=territory,
            min_price_krw=data.get("min_price_krw"),
            max_price_krw=data.get("max_price_krw"),
            exclusive=bool(data.get("exclusive_available")),
        )
        return with_offer(queryset, condition)

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
