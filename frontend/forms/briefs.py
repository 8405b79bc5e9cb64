"""The production brief form: it collects what was typed; search.inputs decides what is a
valid brief (the recommend API's own rules), and its reasons go back next to the field."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from exchange.errors import flatten_errors
from exchange.regions import REGION_CHOICES
from listings.models import IpType, Medium
from search.inputs import MAX_BUDGET_KRW

from .errors import add_errors
from .fields import DateInput


class BriefForm(forms.Form):
    title = forms.CharField(
        label=_("Title"), max_length=200, required=False,
        help_text=_("Needed to save the brief, e.g. “Gwangju media-art show 2027”."),
    )
    text = forms.CharField(
        label=_("Describe the production"), max_length=settings.SEARCH_MAX_QUERY_CHARS,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("In Korean or English: the story, mood, places and what you need."),
    )
    media = forms.MultipleChoiceField(label=_("Wanted media"), choices=Medium.choices,
                                      required=False, widget=forms.CheckboxSelectMultiple)
    territory = forms.CharField(
        label=_("Territory"), max_length=2, required=False,
        help_text=_("A country code such as KR or JP, or WW for worldwide."),
    )
    start = forms.DateField(label=_("From"), required=False, widget=DateInput())
    end = forms.DateField(label=_("Until"), required=False, widget=DateInput())
    budget_krw = forms.IntegerField(label=_("Budget (KRW)"), required=False, min_value=0,
                                    max_value=MAX_BUDGET_KRW)
    preferred_regions = forms.MultipleChoiceField(
        label=_("Preferred regions"), choices=REGION_CHOICES, required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    ip_type = forms.ChoiceField(label=_("IP type"), required=False,
                                choices=[("", _("Any type")), *IpType.choices])
    exclusive = forms.BooleanField(label=_("Exclusive rights needed"), required=False)

    @staticmethod
    def initial_from(brief) -> dict:
        return {name: getattr(brief, name) for name in (
            "title", "text", "media", "territory", "start", "end", "budget_krw",
            "preferred_regions", "ip_type", "exclusive")}

    def to_input(self, *, with_title: bool) -> dict:
        """Cleaned values in the shape search.inputs accepts; what was left empty is left
        out."""
        data = {name: value for name, value in self.cleaned_data.items()
                if value not in (None, "", []) or name == "exclusive"}
        data["territory"] = data.get("territory", "").upper()
        for name in ("start", "end"):
            if name in data:
                data[name] = data[name].isoformat()
        if with_title:
            data["title"] = self.cleaned_data.get("title", "")
        else:
            data.pop("title", None)
        return data

    def checked(self, serializer_class, *, with_title: bool) -> dict | None:
        """The brief through `serializer_class` (search.inputs), or None with its reasons
        put on the fields."""
        checked = serializer_class(data=self.to_input(with_title=with_title))
        if checked.is_valid():
            return checked.validated_data
        fields: dict[str, list[str]] = {}
        for name, reasons in flatten_errors(checked.errors).items():
            fields.setdefault(name.split(".")[0], []).extend(reasons)
        add_errors(self, fields)
        return None
