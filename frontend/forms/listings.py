from django import forms
from django.utils.translation import gettext_lazy as _

from exchange.accounts.models import Language
from exchange.errors import flatten_errors
from exchange.regions import REGION_CHOICES
from listings.inputs import ListingInput
from listings.models import AssetFormat, IpType, MediaRole, Medium
from listings.workflow import OFFERS_PER_LISTING

from .errors import add_errors
from .fields import comma_list


class ListingForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    summary = forms.CharField(label=_("Summary"), max_length=300, required=False,
                              help_text=_("One sentence shown on cards and in search results."))
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 8}), max_length=5000,
        help_text=_("40 to 250 words are needed before the listing can be submitted."),
    )
    language = forms.ChoiceField(label=_("Language of the work"), choices=Language.choices)
    ip_type = forms.ChoiceField(label=_("IP type"), choices=IpType.choices)
    region = forms.ChoiceField(label=_("Region"), choices=REGION_CHOICES)
    tags = forms.CharField(label=_("Tags"), required=False, max_length=1600,
                           help_text=_("Separate tags with commas."))
    asset_formats = forms.MultipleChoiceField(
        label=_("Asset formats"), choices=AssetFormat.choices, required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    creator = forms.CharField(label=_("Rights holder"), max_length=120)
    copyright_registration_number = forms.CharField(
        label=_("Copyright registration number"), max_length=40, required=False
    )
    external_id = forms.CharField(
        label=_("Your own reference"), max_length=100, required=False,
        help_text=_("Optional id from your own catalog; unique among your listings."),
    )

    @staticmethod
    def initial_from(listing) -> dict:
        return {
            "title": listing.title, "summary": listing.summary,
            "description": listing.description, "language": listing.language,
            "ip_type": listing.ip_type, "region": listing.region,
            "tags": ", ".join(listing.tags), "asset_formats": listing.asset_formats,
            "creator": listing.creator_name,
            "copyright_registration_number": listing.copyright_registration_number,
            "external_id": listing.external_id,
        }

    def to_input(self) -> dict:
        data = dict(self.cleaned_data)
        data["tags"] = comma_list(data["tags"])
        return data


class OfferForm(forms.Form):
    media = forms.MultipleChoiceField(label=_("Media"), choices=Medium.choices,
                                      widget=forms.CheckboxSelectMultiple)
    territories = forms.CharField(
        label=_("Territories"), max_length=1000,
        help_text=_("Country codes separated by commas (KR, JP, US) or WW for worldwide."),
    )
    term_months = forms.IntegerField(label=_("Term (months)"), min_value=1, max_value=1200)
    exclusive = forms.BooleanField(label=_("Exclusive"), required=False)
    price_krw = forms.IntegerField(label=_("Price (KRW)"), min_value=0, max_value=10**13)
    royalty_pct = forms.DecimalField(label=_("Royalty %"), required=False, min_value=0,
                                     max_value=50, max_digits=5, decimal_places=2)

    @staticmethod
    def initial_from(offer) -> dict:
        return {"media": offer.media, "territories": ", ".join(offer.territories),
                "term_months": offer.term_months, "exclusive": offer.exclusive,
                "price_krw": offer.price_krw, "royalty_pct": offer.royalty_pct}

    def to_input(self) -> dict:
        data = self.cleaned_data
        return {"media": data["media"], "territory": comma_list(data["territories"].upper()),
                "term_months": data["term_months"], "exclusive": data["exclusive"],
                "price_krw": data["price_krw"], "royalty_pct": data["royalty_pct"]}


class BaseOfferFormSet(forms.BaseFormSet):
    def filled_forms(self) -> list[OfferForm]:
        """The offers the creator filled in: blank spare rows and deleted rows are left out."""
        return [form for form in self.forms
                if form.has_changed() and not self._should_delete_form(form)]


def offer_formset(*, data=None, offers=()):
    """1 to 5 offers: the existing ones, then blank rows up to the limit."""
    low, high = OFFERS_PER_LISTING
    initial = [OfferForm.initial_from(offer) for offer in offers]
    formset_class = forms.formset_factory(
        OfferForm, formset=BaseOfferFormSet, extra=max(high - len(initial), 0),
        max_num=high, absolute_max=high, validate_max=True, can_delete=True,
    )
    return formset_class(data=data, initial=initial, prefix="offers")


def validated_listing_input(listing_form: ListingForm, offers) -> dict | None:
    """Run the forms' values through ListingInput, the one definition of valid listing
    input; its errors go back next to the field they name. None when invalid."""
    filled = offers.filled_forms()
    data = {**listing_form.to_input(), "license_offers": [form.to_input() for form in filled]}
    checked = ListingInput(data=data)
    if checked.is_valid():
        return checked.validated_data
    listing_errors: dict[str, list[str]] = {}
    for name, reasons in flatten_errors(checked.errors).items():
        parts = name.split(".")
        if parts[0] == "license_offers" and len(parts) >= 3 and parts[1].isdigit():
            field = "territories" if parts[2] == "territory" else parts[2]
            add_errors(filled[int(parts[1])], {field: reasons})
        else:
            listing_errors[name] = reasons
    add_errors(listing_form, listing_errors)
    return None


class MediaUploadForm(forms.Form):
    ROLES = [(MediaRole.COVER, MediaRole.COVER.label), (MediaRole.GALLERY, MediaRole.GALLERY.label),
             (MediaRole.DELIVERABLE, MediaRole.DELIVERABLE.label),
             (MediaRole.EVIDENCE, MediaRole.EVIDENCE.label)]

    file = forms.FileField(label=_("File"), help_text=_(
        "Images, audio, video, 3D models (GLB/glTF) and documents are checked from their content."
    ))
    role = forms.ChoiceField(label=_("Use"), choices=ROLES, initial=MediaRole.GALLERY)
    title = forms.CharField(label=_("Caption"), max_length=200, required=False)


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), required=False, max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required to reject, request changes or suspend; the creator sees it."),
    )
