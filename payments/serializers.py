"""Shapes of the payments API: amounts are integers of whole KRW."""

from django.conf import settings
from rest_framework import serializers

from .models import CURRENCY, ConnectedAccount, LedgerEntry, Payment, Refund


class InvoiceSerializer(serializers.ModelSerializer):
    deal = serializers.IntegerField(source="deal_id")
    listing_title = serializers.CharField(source="deal.listing.title")
    currency = serializers.SerializerMethodField()
    outstanding_krw = serializers.IntegerField()
    due_by = serializers.DateTimeField(source="deal.hold_expires_at", allow_null=True)
    pay_to = serializers.SerializerMethodField()

    class Meta:
        model = Payment
        fields = ["id", "deal", "listing_title", "reference", "status", "currency",
                  "amount_krw", "received_krw", "outstanding_krw", "due_by", "pay_to",
                  "reason", "created_at", "completed_at"]

    def get_currency(self, obj) -> str:
        return CURRENCY

    def get_pay_to(self, obj) -> dict[str, str]:
        return {"bank": settings.BANK_TRANSFER_BANK_NAME,
                "account_number": settings.BANK_TRANSFER_ACCOUNT_NUMBER,
                "account_holder": settings.BANK_TRANSFER_ACCOUNT_HOLDER,
                "memo": obj.reference}


class ReceiptInput(serializers.Serializer):
    reference = serializers.CharField(max_length=40)
    amount_krw = serializers.IntegerField(min_value=1)
    bank_transaction_id = serializers.CharField(max_length=255, required=False, default="",
                                                allow_blank=True)
    note = serializers.CharField(max_length=2000, required=False, default="", allow_blank=True)


class InvoiceCancelInput(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, required=False, default="",
                                   allow_blank=True)


class LedgerEntrySerializer(serializers.ModelSerializer):
    reference = serializers.CharField(source="payment.reference")

    class Meta:
        model = LedgerEntry
        fields = ["id", "kind", "amount_krw", "reference", "external_id", "created_at"]


class BalanceSerializer(serializers.Serializer):
    received_krw = serializers.IntegerField()
    refunded_krw = serializers.IntegerField()
    platform_fee_krw = serializers.IntegerField()
    creator_share_krw = serializers.IntegerField()
    paid_out_krw = serializers.IntegerField()
    held_krw = serializers.IntegerField()
    balanced = serializers.BooleanField()


class DealLedgerSerializer(serializers.Serializer):
    deal = serializers.IntegerField()
    currency = serializers.CharField()
    balance = BalanceSerializer()
    entries = LedgerEntrySerializer(many=True)


class DealEarningSerializer(serializers.Serializer):
    deal_id = serializers.IntegerField()
    listing_title = serializers.CharField()
    creator_share_krw = serializers.IntegerField()
    paid_out_krw = serializers.IntegerField()


class EarningsSerializer(serializers.Serializer):
    currency = serializers.CharField()
    earned_krw = serializers.IntegerField()
    paid_out_krw = serializers.IntegerField()
    owed_krw = serializers.IntegerField()
    deals = DealEarningSerializer(many=True)


class RevenueRowSerializer(serializers.Serializer):
    month = serializers.SerializerMethodField()
    region = serializers.CharField()
    region_name = serializers.CharField()
    platform_fee_krw = serializers.IntegerField()
    deals = serializers.IntegerField()

    def get_month(self, obj) -> str:
        return obj.month.strftime("%Y-%m")


class RevenueSerializer(serializers.Serializer):
    currency = serializers.CharField()
    fee_percent = serializers.IntegerField()
    total_krw = serializers.IntegerField()
    rows = RevenueRowSerializer(many=True)


class CardPaymentSerializer(serializers.ModelSerializer):
    deal = serializers.IntegerField(source="deal_id")
    currency = serializers.SerializerMethodField()

    class Meta:
        model = Payment
        fields = ["id", "deal", "reference", "method", "status", "currency", "amount_krw",
                  "received_krw", "reason", "created_at", "completed_at"]

    def get_currency(self, obj) -> str:
        return CURRENCY


class CardPaymentStartSerializer(serializers.Serializer):
    client_secret = serializers.CharField()
    payment = CardPaymentSerializer()


class RefundInput(serializers.Serializer):
    amount_krw = serializers.IntegerField(min_value=1, required=False, allow_null=True,
                                          default=None)
    reason = serializers.CharField(max_length=2000)
    keep_licence = serializers.BooleanField(required=False, allow_null=True, default=None)
    bank_transaction_id = serializers.CharField(max_length=255, required=False, default="",
                                                allow_blank=True)


class RefundSerializer(serializers.ModelSerializer):
    payment = serializers.IntegerField(source="payment_id")
    deal = serializers.IntegerField(source="deal_id")
    currency = serializers.SerializerMethodField()

    class Meta:
        model = Refund
        fields = ["id", "payment", "deal", "status", "currency", "amount_krw", "reason",
                  "keep_licence", "provider_id", "failure", "created_at", "completed_at"]

    def get_currency(self, obj) -> str:
        return CURRENCY


class OnboardingInput(serializers.Serializer):
    return_url = serializers.CharField(max_length=2000)
    refresh_url = serializers.CharField(max_length=2000)
    country = serializers.CharField(max_length=2, min_length=2, required=False, default=None,
                                    allow_null=True)


class ConnectedAccountSerializer(serializers.ModelSerializer):
    ready = serializers.BooleanField()

    class Meta:
        model = ConnectedAccount
        fields = ["stripe_account_id", "country", "service_agreement", "details_submitted",
                  "payouts_enabled", "transfers_active", "ready"]


class OnboardingSerializer(serializers.Serializer):
    url = serializers.CharField()
    account = ConnectedAccountSerializer()
