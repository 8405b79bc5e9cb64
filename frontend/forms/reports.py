"""The report form (infringement or abuse) and the moderators' resolution reason."""

from django import forms
from django.utils.translation import gettext_lazy as _

from listings.models import ReportKind
from listings.services.reports import MAX_DESCRIPTION_CHARS


class ReportForm(forms.Form):
    kind = forms.ChoiceField(label=_("What is wrong"), choices=ReportKind.choices,
                             widget=forms.RadioSelect)
    description = forms.CharField(
        label=_("Details"), max_length=MAX_DESCRIPTION_CHARS,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Say what is infringed or abusive and how you know; moderators read "
                    "every report. The creator does not see who reported."),
    )
    evidence_url = forms.URLField(
        label=_("Link to evidence (optional)"), max_length=500, required=False,
        assume_scheme="https",
        help_text=_("e.g. the original work, a registration record or a takedown notice."),
    )


class ResolutionForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required. The reporter sees it; on a take-down the creator sees it too."),
    )


class SuspensionForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), max_length=2000, required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required to suspend; the account's suspended listings show it."),
    )
