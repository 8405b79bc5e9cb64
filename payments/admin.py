"""Payments and the ledger in the admin, read-only: money moves only through
payments.services (receipts are recorded over the API or by staff tools)."""

from django.contrib import admin

from exchange.admin import ReadOnlyAdmin

from .models import ConnectedAccount, LedgerEntry, Payment, Refund, Transfer, WebhookEvent


class LedgerEntryInline(admin.TabularInline):
    model = LedgerEntry
    fields = ["created_at", "kind", "amount_krw", "external_id", "actor", "note"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = ["reference", "deal", "method", "charge_type", "status", "amount_krw",
                    "received_krw", "created_at", "completed_at"]
    list_filter = ["method", "charge_type", "status"]
    search_fields = ["reference", "provider_id", "deal__id"]
    inlines = [LedgerEntryInline]


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "deal", "kind", "amount_krw", "payment", "external_id"]
    list_filter = ["kind"]
    search_fields = ["external_id", "payment__reference"]
    date_hierarchy = "created_at"


@admin.register(WebhookEvent)
class WebhookEventAdmin(ReadOnlyAdmin):
    list_display = ["received_at", "provider", "type", "event_id", "status", "attempts"]
    list_filter = ["provider", "status", "type"]
    search_fields = ["event_id", "error"]


@admin.register(Refund)
class RefundAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "payment", "deal", "amount_krw", "status", "keep_licence",
                    "requested_by", "completed_at"]
    list_filter = ["status", "keep_licence"]
    search_fields = ["provider_id", "payment__reference", "reason"]


@admin.register(ConnectedAccount)
class ConnectedAccountAdmin(ReadOnlyAdmin):
    list_display = ["user", "stripe_account_id", "country", "service_agreement",
                    "details_submitted", "payouts_enabled", "transfers_active"]
    list_filter = ["service_agreement", "payouts_enabled"]
    search_fields = ["stripe_account_id", "user__email"]


@admin.register(Transfer)
class TransferAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "payment", "account", "amount_krw", "reversed_krw", "status",
                    "provider_id"]
    list_filter = ["status"]
    search_fields = ["provider_id", "payment__reference"]
