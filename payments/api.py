"""Payments over HTTP: thin views that validate input, call a service or a
selector and render the result."""

from django.conf import settings
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, status
from rest_framework.response import Response
from rest_framework.views import APIView

from licensing.selectors import deal_get

from . import selectors, services
from .models import CURRENCY
from .serializers import (
    CardPaymentStartSerializer,
    ConnectedAccountSerializer,
    DealLedgerSerializer,
    EarningsSerializer,
    InvoiceCancelInput,
    InvoiceSerializer,
    OnboardingInput,
    OnboardingSerializer,
    ReceiptInput,
    RefundInput,
    RefundSerializer,
    RevenueSerializer,
)


class DealInvoiceView(APIView):
    """The bank-transfer invoice of a deal: its parties and staff read it; the
    producer (or staff) asks for it once both parties signed."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses=InvoiceSerializer)
    def get(self, request, deal_id):
        invoice = selectors.invoice_get(user=request.user, deal_id=deal_id)
        return Response(InvoiceSerializer(invoice).data)

    @extend_schema(request=None, responses={201: InvoiceSerializer, 200: InvoiceSerializer})
    def post(self, request, deal_id):
        deal = deal_get(user=request.user, pk=deal_id)
        existed = selectors.invoice_exists(deal=deal)
        invoice = services.invoice_issue(actor=request.user, deal=deal)
        return Response(InvoiceSerializer(invoice).data,
                        status=status.HTTP_200_OK if existed else status.HTTP_201_CREATED)


class InvoiceCancelView(APIView):
    """Cancel an open invoice on which nothing was received: staff (with a reason) or
    the producer who pays it; afterwards the deal may be paid by card instead."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(request=InvoiceCancelInput, responses={200: InvoiceSerializer})
    def post(self, request, payment_id):
        serializer = InvoiceCancelInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        payment = services.invoice_cancel(actor=request.user, payment_id=payment_id,
                                          **serializer.validated_data)
        return Response(InvoiceSerializer(payment).data)


class RoyaltyActivationView(APIView):
    """Staff: activate the licence of a signed deal with no upfront fee (royalties only)."""

    permission_classes = [permissions.IsAdminUser]

    @extend_schema(request=None, responses={200: None})
    def post(self, request, deal_id):
        deal = services.royalty_licence_activate(
            actor=request.user, deal=deal_get(user=request.user, pk=deal_id))
        return Response({"deal": deal.pk, "status": deal.status})


class BankReceiptView(APIView):
    """Staff: a transfer on the bank statement, against the invoice its reference names."""

    permission_classes = [permissions.IsAdminUser]

    @extend_schema(request=ReceiptInput, responses={201: InvoiceSerializer})
    def post(self, request):
        serializer = ReceiptInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        payment = services.bank_receipt_record(actor=request.user, **serializer.validated_data)
        return Response(InvoiceSerializer(payment).data, status=status.HTTP_201_CREATED)


class DealLedgerView(APIView):
    """A deal's ledger entries and balance, for its parties and staff."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses=DealLedgerSerializer)
    def get(self, request, deal_id):
        deal = deal_get(user=request.user, pk=deal_id)
        return Response(DealLedgerSerializer({
            "deal": deal.pk, "currency": CURRENCY,
            "balance": selectors.deal_balance(deal_id=deal.pk),
            "entries": selectors.ledger_entries(deal=deal),
        }).data)


class EarningsView(APIView):
    """The signed-in creator's earnings and payouts, deal by deal."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses=EarningsSerializer)
    def get(self, request):
        deals = selectors.creator_earnings(user=request.user)
        earned = sum(row.creator_share_krw for row in deals)
        paid_out = sum(row.paid_out_krw for row in deals)
        return Response(EarningsSerializer({
            "currency": CURRENCY, "earned_krw": earned, "paid_out_krw": paid_out,
            "owed_krw": earned - paid_out, "deals": deals,
        }).data)


class RevenueView(APIView):
    """Staff: platform revenue (fees net of refunds) by month and region."""

    permission_classes = [permissions.IsAdminUser]

    @extend_schema(responses=RevenueSerializer)
    def get(self, request):
        rows = selectors.platform_revenue()
        return Response(RevenueSerializer({
            "currency": CURRENCY, "fee_percent": settings.PLATFORM_FEE_PERCENT,
            "total_krw": sum(row.platform_fee_krw for row in rows), "rows": rows,
        }).data)


class DealCardPaymentView(APIView):
    """The producer (or staff) starts paying a deal by card: the payment and the
    PaymentIntent's client_secret for Stripe.js. 409 `stripe_disabled` while Stripe
    is off; asking again returns the same open payment."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(request=None, responses={201: CardPaymentStartSerializer})
    def post(self, request, deal_id):
        deal = deal_get(user=request.user, pk=deal_id)
        payment, client_secret = services.card_payment_start(actor=request.user, deal=deal)
        return Response(CardPaymentStartSerializer(
            {"client_secret": client_secret, "payment": payment}).data,
            status=status.HTTP_201_CREATED)


class PaymentRefundsView(APIView):
    """Staff: refund a payment in full (no amount) or in part. 201 when the money
    went back, 202 while Stripe has not confirmed it yet."""

    permission_classes = [permissions.IsAdminUser]

    @extend_schema(responses=RefundSerializer(many=True))
    def get(self, request, payment_id):
        return Response(RefundSerializer(selectors.refunds_of(payment_id=payment_id),
                                         many=True).data)

    @extend_schema(request=RefundInput, responses={201: RefundSerializer, 202: RefundSerializer})
    def post(self, request, payment_id):
        serializer = RefundInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        refund = services.refund_create(actor=request.user, payment_id=payment_id,
                                        **serializer.validated_data)
        accepted = refund.status == "pending"
        return Response(RefundSerializer(refund).data,
                        status=status.HTTP_202_ACCEPTED if accepted else status.HTTP_201_CREATED)


class ConnectOnboardingView(APIView):
    """The signed-in creator's Stripe Connect account (GET) and a fresh onboarding
    link (POST) to open in the browser."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses=ConnectedAccountSerializer)
    def get(self, request):
        return Response(ConnectedAccountSerializer(
            selectors.connected_account_get(user=request.user)).data)

    @extend_schema(request=OnboardingInput, responses={200: OnboardingSerializer})
    def post(self, request):
        serializer = OnboardingInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        url = services.connect_onboarding_link(actor=request.user, **serializer.validated_data)
        return Response(OnboardingSerializer({
            "url": url, "account": selectors.connected_account_get(user=request.user)}).data)
