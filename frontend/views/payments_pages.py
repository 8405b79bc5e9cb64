"""Paying a licence and being paid: the producer's invoice with the bank transfer
instructions (and canceling it before any money came), the creator's earnings and
payouts, staff recording bank receipts, refunding payments, retrying Stripe events
that failed and activating royalty-only licences. Changes go through
payments.services; reads through payments.selectors."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from exchange.errors import Conflict, InvalidInput, NotFound
from licensing import selectors
from licensing.models import Party
from payments import selectors as payment_selectors
from payments import services
from payments.models import Payment, PaymentStatus, RefundStatus, WebhookEvent, WebhookStatus
from payments.services import PaymentRefused, ProviderRefused, ProviderUnavailable

from ..forms.deals import BankReceiptForm, InvoiceCancelForm, RefundForm, put_service_error
from ..middleware import POLICY
from ..templatetags.exchange_tags import krw
from .common import creator_required, error_message, staff_required
from .deals import deals_by_stage
from .payment_reads import bank_account, card_payments_on, invoice_of

# Stripe.js must be loaded from Stripe itself (it may not be self-hosted), so the card
# page alone lets in Stripe's origins (Stripe's documented Content-Security-Policy).
STRIPE_ORIGINS = {
    "script-src": "https://js.stripe.com https://*.js.stripe.com",
    "frame-src": "https://js.stripe.com https://*.js.stripe.com https://hooks.stripe.com",
    "connect-src": "https://api.stripe.com",
    "img-src": "https://*.stripe.com",
}


@login_required
@require_http_methods(["GET", "POST"])
def invoice(request, pk):
    """GET: the deal's invoice with what to transfer where (its parties and staff).
    POST: the producer asks for it once both signed (asking again returns the same)."""
    deal = selectors.deal_get(user=request.user, pk=pk)
    if request.method == "POST":
        try:
            services.invoice_issue(actor=request.user, deal=deal)
        except (InvalidInput, Conflict) as error:
            error_message(request, error)
            return redirect("frontend:deal-detail", pk=deal.pk)
        return redirect("frontend:deal-invoice", pk=deal.pk)
    return render(request, "frontend/payments/invoice.html", {
        "deal": deal,
        "party": deal.party_of(request.user),
        "invoice": invoice_of(request.user, deal),
        "card_payment": payment_selectors.card_payment_latest(user=request.user,
                                                              deal_id=deal.pk),
        "card_payments_on": card_payments_on(),
        "pay_to": bank_account(),
        "licence_status": selectors.licence_status(deal),
        "cancel_form": _cancel_form(request.user, deal),
    })


def _cancel_form(user, deal, data=None) -> InvoiceCancelForm:
    """Staff say why they cancel; the producer who pays may leave the reason empty."""
    reason_required = deal.party_of(user) != Party.PRODUCER
    return InvoiceCancelForm(data, prefix="cancel", reason_required=reason_required)


@login_required
@require_http_methods(["GET", "POST"])
def invoice_cancel(request, payment_id):
    """GET: confirm canceling an invoice; POST: cancel it (payments.services.invoice_cancel).
    Its producer or staff; the creator gets a 403 and a stranger a 404."""
    invoice = payment_selectors.payment_get(user=request.user, payment_id=payment_id)
    deal = invoice.deal
    party = deal.party_of(request.user)
    if party == Party.CREATOR and not request.user.is_staff:
        raise PermissionDenied
    form = _cancel_form(request.user, deal, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.invoice_cancel(actor=request.user, payment_id=invoice.pk,
                                    reason=form.cleaned_data["reason"])
        except InvalidInput as error:
            put_service_error(form, error)
        except Conflict as error:
            error_message(request, error)
            return redirect("frontend:deal-invoice", pk=deal.pk)
        else:
            messages.success(request, _("Invoice %(reference)s is canceled. The deal can now be "
                                        "paid another way.") % {"reference": invoice.reference})
            return redirect("frontend:deal-detail", pk=deal.pk)
    return render(request, "frontend/payments/invoice_cancel.html", {
        "deal": deal, "invoice": invoice, "party": party, "form": form,
    }, status=400 if form.errors else 200)


def _card_page_policy() -> str:
    directives = dict(POLICY)
    for name, origins in STRIPE_ORIGINS.items():
        directives[name] = f"{directives.get(name, '')} {origins}".strip()
    return "; ".join(f"{name} {value}" for name, value in directives.items())


@login_required
@require_POST
def card_payment(request, pk):
    """The producer pays by card: the payment starts (payments.services.card_payment_start)
    and Stripe's card form confirms it in the browser; the money is recorded when Stripe's
    webhook says it arrived, never from what the browser reports."""
    deal = selectors.deal_get(user=request.user, pk=pk)
    if not card_payments_on():
        raise Http404
    try:
        payment, client_secret = services.card_payment_start(actor=request.user, deal=deal)
    except (InvalidInput, Conflict, ProviderUnavailable, ProviderRefused) as error:
        error_message(request, error)
        return redirect("frontend:deal-detail", pk=deal.pk)
    response = render(request, "frontend/payments/card.html", {
        "deal": deal,
        "payment": payment,
        "client_secret": client_secret,
        "publishable_key": settings.STRIPE_PUBLISHABLE_KEY,
        "return_url": request.build_absolute_uri(
            reverse("frontend:deal-detail", args=[deal.pk])),
    })
    response["Content-Security-Policy"] = _card_page_policy()
    response["Cache-Control"] = "no-store"
    return response


@creator_required
def creator_earnings(request):
    rows = payment_selectors.creator_earnings(user=request.user)
    earned = sum(row.creator_share_krw for row in rows)
    paid_out = sum(row.paid_out_krw for row in rows)
    return render(request, "frontend/payments/earnings.html", {
        "rows": rows,
        "earned_krw": earned,
        "paid_out_krw": paid_out,
        "owed_krw": earned - paid_out,
        "fee_percent": settings.PLATFORM_FEE_PERCENT,
        "sales": deals_by_stage(request.user, Party.CREATOR)["licences"],
        "stripe_on": services.stripe_enabled(),
        "payout_account": _payout_account(request.user),
        "stripe_return": request.GET.get("stripe", ""),
    })


def _payout_account(user):
    try:
        return payment_selectors.connected_account_get(user=user)
    except Http404:
        return None


@creator_required
@require_POST
def stripe_onboarding(request):
    """The creator goes to Stripe to set up payouts; Stripe sends them back to the
    earnings page (a fresh link is made on each visit: Stripe's are single-use)."""
    earnings = request.build_absolute_uri(reverse("frontend:creator-earnings"))
    try:
        url = services.connect_onboarding_link(
            actor=request.user, return_url=f"{earnings}?stripe=return",
            refresh_url=f"{earnings}?stripe=refresh")
    except (InvalidInput, Conflict, ProviderUnavailable, ProviderRefused) as error:
        error_message(request, error)
        return redirect("frontend:creator-earnings")
    return redirect(url)


def _receipt_done_message(payment: Payment) -> str:
    if payment.status == PaymentStatus.SUCCEEDED:
        return _("Invoice %(reference)s is paid in full: deal #%(deal)s is licensed and its "
                 "certificate issued.") % {"reference": payment.reference,
                                           "deal": payment.deal_id}
    return _("Recorded against %(reference)s; %(outstanding)s is still outstanding.") % {
        "reference": payment.reference, "outstanding": krw(payment.outstanding_krw)}


@staff_required
@require_http_methods(["GET", "POST"])
def staff_payments(request):
    """Record a transfer from the bank statement against its invoice; the open invoices,
    the payments that can be refunded and the Stripe events that failed."""
    initial = {"reference": request.GET.get("reference", "")}
    form = BankReceiptForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            payment = services.bank_receipt_record(actor=request.user, **form.cleaned_data)
        except PaymentRefused as refused:
            # The money is on record as due back: staff must return it.
            messages.warning(request, translated_refusal(refused))
            return redirect("frontend:staff-payments")
        except (InvalidInput, Conflict) as error:
            put_service_error(form, error)
        else:
            messages.success(request, _receipt_done_message(payment))
            return redirect("frontend:staff-payments")
    return render(request, "frontend/payments/staff_payments.html", {
        "form": form,
        "invoices": payment_selectors.open_invoices(user=request.user),
        "refundable": payment_selectors.refundable_payments(user=request.user),
        "failed_events": payment_selectors.failed_webhook_events(user=request.user),
        "stripe_on": services.stripe_enabled(),
    }, status=400 if form.errors else 200)


def _retry_done_message(event: WebhookEvent) -> tuple[int, str]:
    """The message level and text of a retried event's outcome."""
    names = {"event_id": event.event_id, "type": event.type}
    if event.status == WebhookStatus.APPLIED:
        return messages.SUCCESS, _("Stripe event %(event_id)s (%(type)s) was applied.") % names
    if event.status == WebhookStatus.IGNORED:
        return messages.INFO, _("Stripe event %(event_id)s (%(type)s) is not a type we act "
                                "on; it is recorded as ignored.") % names
    return messages.ERROR, _("Stripe event %(event_id)s (%(type)s) failed again: "
                             "%(error)s") % {**names, "error": event.error}


@staff_required
@require_POST
def webhook_retry(request, webhook_event_id):
    """Staff apply a failed Stripe event again (payments.services.webhook_retry)."""
    try:
        event = services.webhook_retry(actor=request.user, webhook_event_id=webhook_event_id)
    except (Conflict, NotFound) as error:
        error_message(request, error)
    else:
        messages.add_message(request, *_retry_done_message(event))
    return redirect(f"{reverse('frontend:staff-payments')}#failed-events-heading")


def translated_refusal(refused: PaymentRefused) -> str:
    payment = refused.payment
    return _("Deal #%(deal)s can no longer be licensed, so the %(amount)s received on "
             "%(reference)s was not applied. It is recorded as due back to the payer: return "
             "it. (%(detail)s)") % {"deal": payment.deal_id,
                                    "amount": krw(payment.received_krw),
                                    "reference": payment.reference,
                                    "detail": payment.reason}


def _refund_done_message(refund) -> str:
    if refund.status == RefundStatus.SUCCEEDED:
        return _("%(amount)s was refunded on %(reference)s.") % {
            "amount": krw(refund.amount_krw), "reference": refund.payment.reference}
    return _("The refund of %(amount)s on %(reference)s was sent to Stripe; it is recorded "
             "once Stripe confirms it.") % {"amount": krw(refund.amount_krw),
                                           "reference": refund.payment.reference}


@staff_required
@require_http_methods(["GET", "POST"])
def payment_refund(request, payment_id):
    """Staff refund a payment in full or in part (payments.services.refund_create), with
    the reason and, for a partial refund of a licence, whether it stays."""
    payment = payment_selectors.payment_get(user=request.user, payment_id=payment_id)
    form = RefundForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            refund = services.refund_create(actor=request.user, payment_id=payment.pk,
                                            **form.refund_arguments())
        except (InvalidInput, Conflict, ProviderUnavailable, ProviderRefused) as error:
            put_service_error(form, error)
        else:
            messages.success(request, _refund_done_message(refund))
            return redirect("frontend:deal-detail", pk=payment.deal_id)
    return render(request, "frontend/payments/refund.html", {
        "payment": payment,
        "deal": payment.deal,
        "refundable_krw": services.refundable_krw(payment),
        "licence_status": selectors.licence_status(payment.deal),
        "refunds": payment_selectors.refunds_of(payment_id=payment.pk),
        "form": form,
    }, status=400 if form.errors else 200)


@staff_required
@require_POST
def royalty_activate(request, pk):
    """Staff activate the licence of a signed deal with no upfront fee."""
    deal = selectors.deal_get(user=request.user, pk=pk)
    try:
        services.royalty_licence_activate(actor=request.user, deal=deal)
    except (InvalidInput, Conflict) as error:
        error_message(request, error)
    else:
        messages.success(request, _("The licence is active and its certificate issued; both "
                                    "parties are told by e-mail."))
    return redirect("frontend:deal-detail", pk=deal.pk)
