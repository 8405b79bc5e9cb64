"""Deals, the rights ledger, agreements and certificates in the admin: read-only
rows, and the one staff action (mark paid) through the same service as the API."""

from django.contrib import admin, messages

from exchange.admin import ReadOnlyAdmin
from exchange.errors import ApplicationError

from . import services
from .models import (
    Agreement,
    Certificate,
    Deal,
    DealMessage,
    DealTransition,
    RightsClaim,
    Signature,
)


@admin.action(description="Mark paid (bank transfer / invoice received)")
def mark_paid(modeladmin, request, queryset):
    done = 0
    for deal in queryset:
        try:
            services.deal_mark_paid(actor=request.user, deal=deal)
            done += 1
        except ApplicationError as error:
            modeladmin.message_user(request, f"Deal #{deal.pk}: {error.message}", messages.ERROR)
    if done:
        modeladmin.message_user(request, f"Marked paid: {done} deal(s).", messages.SUCCESS)


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class TransitionInline(ReadOnlyInline):
    model = DealTransition
    fields = ["created_at", "action", "from_status", "to_status", "actor", "reason"]
    readonly_fields = fields


class MessageInline(ReadOnlyInline):
    model = DealMessage
    fields = ["created_at", "author", "body"]
    readonly_fields = fields


class ClaimInline(ReadOnlyInline):
    model = RightsClaim
    fields = ["kind", "medium", "territory", "start_date", "end_date", "exclusive", "active",
              "expires_at"]
    readonly_fields = fields


class SignatureInline(ReadOnlyInline):
    model = Signature
    fields = ["party", "signer", "signed_at", "ip_address", "user_agent", "sha256"]
    readonly_fields = fields


@admin.register(Agreement)
class AgreementAdmin(admin.ModelAdmin):
    list_display = ["id", "deal", "sha256", "created_at"]
    readonly_fields = ["deal", "canonical_json", "sha256", "created_at"]
    inlines = [SignatureInline]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Certificate)
class CertificateAdmin(admin.ModelAdmin):
    list_display = ["deal", "issued_at"]
    readonly_fields = ["deal", "code", "issued_at"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Deal)
class DealAdmin(admin.ModelAdmin):
    list_display = ["id", "listing", "producer", "status", "exclusive", "start_date", "end_date",
                    "fee_krw", "updated_at"]
    list_filter = ["status", "exclusive"]
    search_fields = ["listing__title", "producer__email", "creator__email"]
    actions = [mark_paid]
    inlines = [TransitionInline, ClaimInline, MessageInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(RightsClaim)
class RightsClaimAdmin(ReadOnlyAdmin):
    list_display = ["listing", "kind", "medium", "territory", "start_date", "end_date",
                    "exclusive", "active", "deal"]
    list_filter = ["kind", "active", "exclusive", "medium"]
