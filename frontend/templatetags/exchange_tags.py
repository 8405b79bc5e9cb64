"""Money, dates and catalog codes shown in the reader's language."""

import functools
import gettext as gettext_module
from decimal import Decimal

import pycountry
from django import template
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext as _

from exchange.regions import REGIONS, WORLDWIDE
from listings.models import (
    AssetFormat,
    IpType,
    ListingStatus,
    MediaKind,
    MediaRole,
    Medium,
    ReportStatus,
)

register = template.Library()


def _is_korean() -> bool:
    return (get_language() or "ko").startswith("ko")


@register.filter
def krw(amount) -> str:
    """₩1,200,000 in every language: KRW has no minor unit, grouping by thousands."""
    if amount is None or amount == "":
        return ""
    try:
        value = int(amount)
    except (TypeError, ValueError):
        return str(amount)
    sign = "-" if value < 0 else ""
    return f"{sign}₩{abs(value):,}"


@register.filter
def ldate(value) -> str:
    """A date (or the local date of a moment) in the language's own format."""
    if not value:
        return ""
    if hasattr(value, "hour") and timezone.is_aware(value):
        value = timezone.localtime(value)
    return formats.date_format(value, "DATE_FORMAT")


@register.filter
def ldatetime(value) -> str:
    if not value:
        return ""
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return formats.date_format(value, "DATETIME_FORMAT")


@register.filter
def region_name(code: str) -> str:
    region = REGIONS.get(code)
    if region is None:
        return code
    return region.name_ko if _is_korean() else region.name_en


@functools.cache
def _country_names(language: str):
    try:
        return gettext_module.translation(
            "iso3166-1", pycountry.LOCALES_DIR, languages=[language]
        ).gettext
    except OSError:
        return lambda name: name


@register.filter
def territory_name(code: str) -> str:
    if code == WORLDWIDE:
        return _("Worldwide")
    country = pycountry.countries.get(alpha_2=code)
    if country is None:
        return code
    return _country_names("ko" if _is_korean() else "en")(country.name)


def choice_label(choices, value) -> str:
    """The label of one value of a choices class in the reader's language; a value the
    class does not know (an old or foreign code) is shown as it is."""
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value)


@register.filter
def medium_label(value: str) -> str:
    return choice_label(Medium, value)


@register.filter
def ip_type_label(value: str) -> str:
    return choice_label(IpType, value)


@register.filter
def asset_format_label(value: str) -> str:
    return choice_label(AssetFormat, value)


@register.filter
def status_label(value: str) -> str:
    """A state in an audit row: a listing's, a report's or an account's."""
    for choices in (ListingStatus, ReportStatus):
        if value in choices.values:
            return choice_label(choices, value)
    return {"active": _("Active")}.get(value, value)


# What the audit rows shown on pages record (listings, their media and reports, accounts);
# any other action is shown as its code.
AUDIT_ACTIONS = {
    "listing.create": pgettext_lazy("audit action", "Created"),
    "listing.edit": pgettext_lazy("audit action", "Edited"),
    "listing.submit": pgettext_lazy("audit action", "Submitted for review"),
    "listing.withdraw": pgettext_lazy("audit action", "Withdrawn from review"),
    "listing.archive": pgettext_lazy("audit action", "Archived"),
    "listing.approve": pgettext_lazy("audit action", "Approved and published"),
    "listing.reject": pgettext_lazy("audit action", "Rejected"),
    "listing.request_changes": pgettext_lazy("audit action", "Changes requested"),
    "listing.suspend": pgettext_lazy("audit action", "Suspended"),
    "listing.reinstate": pgettext_lazy("audit action", "Reinstated"),
    "listing.import_publish": pgettext_lazy("audit action", "Published by a catalog import"),
    "listing.duplicate_dismiss": pgettext_lazy("audit action", "Near-duplicate alert dismissed"),
    "media.attach": pgettext_lazy("audit action", "File added"),
    "media.remove": pgettext_lazy("audit action", "File removed"),
    "report.file": pgettext_lazy("audit action", "Report filed"),
    "report.dismiss": pgettext_lazy("audit action", "Report dismissed"),
    "report.take_down": pgettext_lazy("audit action", "Taken down after a report"),
    "user.signup": pgettext_lazy("audit action", "Signed up"),
    "user.suspend": pgettext_lazy("audit action", "Account suspended"),
    "user.reinstate": pgettext_lazy("audit action", "Account reinstated"),
    "organisation.join": pgettext_lazy("audit action", "Joined an organisation"),
}


@register.filter
def audit_action_label(action: str) -> str:
    return str(AUDIT_ACTIONS.get(action, action))


@register.filter
def media_role_label(value: str) -> str:
    return choice_label(MediaRole, value)


@register.filter
def media_kind_label(value: str) -> str:
    return choice_label(MediaKind, value)


@register.filter
def media_url(media) -> str:
    """Where the browser fetches a media file: the checked download view, never /media/."""
    return reverse("media-download", args=[media.pk])


@register.filter
def thumbnail_url(media) -> str:
    if media.thumbnail:
        return reverse("media-download", args=[media.pk]) + "?thumbnail=1"
    return reverse("media-download", args=[media.pk])


@register.filter
def cover_of(listing):
    """The listing's cover image, else its first public image (prefetched media)."""
    images = [m for m in listing.media.all() if m.kind == MediaKind.IMAGE and m.is_public]
    covers = [m for m in images if m.role == MediaRole.COVER]
    return (covers or images or [None])[0]


@register.simple_tag(takes_context=True)
def query_with(context, **changes) -> str:
    """The current query string with some parameters replaced (pagination links)."""
    query = context["request"].GET.copy()
    for name, value in changes.items():
        if value in (None, ""):
            query.pop(name, None)
        else:
            query[name] = value
    return "?" + query.urlencode() if query else "?"


@register.filter
def percent(value) -> str:
    """Decimal("5.50") -> "5.5%"; None -> ""."""
    if value is None:
        return ""
    return f"{Decimal(value).normalize():f}%"
