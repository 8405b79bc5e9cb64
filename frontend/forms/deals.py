"""Forms of the licensing and payment pages. They check types only; the rules of valid
terms live in licensing.terms and the services, whose errors come back next to the
field they name (put_service_error)."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from exchange.errors import ApplicationError
from licensing.services.deals import MESSAGE_MAX_CHARS
from licensing.terms import MAX_FEE_KRW
from licensing.workflow import ROYALTY_PCT_RANGE
from listings.models import Medium

from ..templatetags.exchange_tags import krw, medium_label, territory_name
from .errors import add_errors, translated
from .fields import DateInput, comma_list

CUSTOM = "custom"
REQUIRED_FOR_CUSTOM = ("media", "territories", "start_date", "end_date", "fee_krw")


def put_service_error(form: forms.Form, error: ApplicationError) -> None:
    """A service's refusal on the form: reasons next to the fields it names; the message
    at the top when it names none of the form's fields (or names others too)."""
    known = {name: reasons for name, reasons in error.fields.items() if name in form.fields}
    add_errors(form, known)
    if len(known) < len(error.fields) or not error.fields:
        form.add_error(None, translated(error.message))


class TermsForm(forms.Form):
    """The terms of a licence as licensing.terms.Terms has them."""

    media = forms.MultipleChoiceField(label=_("Media"), choices=Medium.choices,
                                      widget=forms.CheckboxSelectMultiple)
    territories = forms.CharField(
        label=_("Territories"), max_length=1000,
        help_text=_("Country codes separated by commas (KR, JP, US) or WW for worldwide."),
    )
    start_date = forms.DateField(label=_("First day"), widget=DateInput())
    end_date = forms.DateField(label=_("Last day (inclusive)"), widget=DateInput())
    exclusive = forms.BooleanField(
        label=_("Exclusive: nobody else may use these media in these territories meanwhile"),
        required=False,
    )
    fee_krw = forms.IntegerField(label=_("Fee (KRW)"), min_value=0, max_value=MAX_FEE_KRW,
                                 help_text=_("Whole won, paid once the agreement is signed."))
    royalty_pct = forms.DecimalField(
        label=_("Royalty %"), required=False, min_value=ROYALTY_PCT_RANGE[0],
        max_value=ROYALTY_PCT_RANGE[1], max_digits=5, decimal_places=2,
        help_text=_("Optional share of revenue, 0 to 50."),
    )

    @staticmethod
    def initial_from(deal) -> dict:
        return {"media": list(deal.media), "territories": ", ".join(deal.territories),
                "start_date": deal.start_date, "end_date": deal.end_date,
                "exclusive": deal.exclusive, "fee_krw": deal.fee_krw,
                "royalty_pct": deal.royalty_pct}

    def terms(self) -> dict:
        data = self.cleaned_data
        return {"media": data["media"], "territories": comma_list(data["territories"].upper()),
                "start_date": data["start_date"], "end_date": data["end_date"],
                "exclusive": data["exclusive"], "fee_krw": data["fee_krw"],
                "royalty_pct": data["royalty_pct"]}


def offer_label(offer) -> str:
    media = ", ".join(medium_label(m) for m in offer.media)
    territories = ", ".join(territory_name(t) for t in offer.territories)
    kind = gettext("exclusive") if offer.exclusive else gettext("non-exclusive")
    months = ngettext("%(months)d month", "%(months)d months", offer.term_months) % {
        "months": offer.term_months}
    parts = [media, territories, months, kind, krw(offer.price_krw)]
    if offer.royalty_pct is not None:
        parts.append(gettext("royalty %(pct)s%%") % {"pct": f"{offer.royalty_pct.normalize():f}"})
    return " · ".join(parts)


class DealRequestForm(TermsForm):
    """An offer as it stands from a first day, or custom terms; the production always."""

    field_order = ["offer", "start_date", "media", "territories", "end_date", "exclusive",
                   "fee_krw", "royalty_pct", "production", "message"]

    offer = forms.ChoiceField(label=_("Licence"), widget=forms.RadioSelect)
    production = forms.CharField(
        label=_("Intended production"), max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("What you will make with it, where and for whom: the creator decides on "
                    "this."),
    )
    message = forms.CharField(label=_("Message to the creator"), required=False,
                              max_length=MESSAGE_MAX_CHARS,
                              widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, offers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.offers = {str(offer.pk): offer for offer in offers}
        choices = [(key, offer_label(offer)) for key, offer in self.offers.items()]
        choices.append((CUSTOM, _("Propose my own terms (fill in the terms below)")))
        self.fields["offer"].choices = choices
        self.fields["start_date"].help_text = _(
            "With an offer, the licence runs from this day for the offer's term.")
        for name in ("media", "territories", "end_date", "fee_krw"):
            self.fields[name].required = False
        if not self.is_bound:
            self.initial.setdefault("offer", next(iter(self.offers), CUSTOM))
            self.initial.setdefault("start_date", timezone.localdate())

    def clean(self):
        data = super().clean()
        if data.get("offer") == CUSTOM:
            for name in REQUIRED_FOR_CUSTOM:
                if name not in self.errors and data.get(name) in (None, "", []):
                    self.add_error(name, forms.Field.default_error_messages["required"])
        return data

    def chosen_offer(self):
        return self.offers.get(self.cleaned_data["offer"])

    def request_arguments(self) -> dict:
        """Keyword arguments of licensing.services.deal_request besides producer and listing."""
        data = self.cleaned_data
        offer = self.chosen_offer()
        common = {"production": data["production"], "message": data["message"]}
        if offer is not None:
            return {**common, "offer": offer, "start_date": data["start_date"]}
        return {**common, "terms": self.terms()}


class CounterForm(TermsForm):
    note = forms.CharField(label=_("Note to the other party"), required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 3}),
                           help_text=_("Why these terms: the other party sees it."))


class ReasonForm(forms.Form):
    def __init__(self, *args, required: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].required = required

    reason = forms.CharField(label=_("Reason"), max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 3}))


class MessageForm(forms.Form):
    body = forms.CharField(label=_("Message"), max_length=MESSAGE_MAX_CHARS,
                           widget=forms.Textarea(attrs={"rows": 3}))


class SignForm(forms.Form):
    """Click-through: the hash of the agreement as shown, and an explicit yes."""

    sha256 = forms.CharField(widget=forms.HiddenInput, max_length=128)
    confirm = forms.BooleanField(
        label=_("I have read this agreement and agree to be bound by it"),
    )


class BankReceiptForm(forms.Form):
    reference = forms.CharField(
        label=_("Payment reference"), max_length=40,
        help_text=_("As written on the transfer, e.g. CIPX-7K2M-Q9XM; case, spaces and "
                    "dashes do not matter."),
    )
    amount_krw = forms.IntegerField(label=_("Amount received (KRW)"), min_value=1,
                                    max_value=MAX_FEE_KRW)
    bank_transaction_id = forms.CharField(
        label=_("Bank transaction id"), max_length=255, required=False,
        help_text=_("From the bank statement; recording the same transaction twice changes "
                    "nothing."),
    )
    note = forms.CharField(label=_("Note"), max_length=2000, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))


class InvoiceCancelForm(forms.Form):
    """Staff must say why (the producer sees it); the producer may leave it empty."""

    reason = forms.CharField(label=_("Reason"), max_length=2000, required=False,
                             widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, reason_required: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].required = reason_required
        if not reason_required:
            self.fields["reason"].label = _("Reason (optional)")


KEEP = "keep"
END = "end"


class RefundForm(forms.Form):
    """A refund as payments.services.refund_create takes it; no amount refunds all
    that is left. Whether a licence stays is asked only of a partial refund of a
    licensed deal; the service says so next to the field when it is missing."""

    amount_krw = forms.IntegerField(
        label=_("Amount to refund (KRW)"), min_value=1, max_value=MAX_FEE_KRW, required=False,
        help_text=_("Leave empty to refund all that is left."))
    keep_licence = forms.ChoiceField(
        label=_("The licence after a partial refund"), required=False,
        widget=forms.RadioSelect,
        choices=[(KEEP, _("Keeps running (e.g. a price reduction)")),
                 (END, _("Ends: its rights are free again"))],
        help_text=_("A full refund always ends the licence."))
    reason = forms.CharField(label=_("Reason"), max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 3}),
                             help_text=_("Kept on the refund and in the audit log."))
    bank_transaction_id = forms.CharField(
        label=_("Bank transaction of the transfer back"), max_length=255, required=False,
        help_text=_("For a bank payment: the transfer you made back to the payer, from the "
                    "bank statement."))

    def refund_arguments(self) -> dict:
        """Keyword arguments of refund_create besides actor and payment_id."""
        data = self.cleaned_data
        keep = {KEEP: True, END: False}.get(data["keep_licence"])
        return {"amount_krw": data["amount_krw"], "keep_licence": keep,
                "reason": data["reason"], "bank_transaction_id": data["bank_transaction_id"]}
