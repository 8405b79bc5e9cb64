"""The moderators' side in the Django admin: the review queue and every
decision, each through the same services as the API."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm

from exchange.admin import ReadOnlyAdmin
from exchange.errors import ApplicationError

from . import services
from .models import LicenseOffer, Listing, ListingStatus, MediaAsset, Report, SubmittedListing


class ReasonActionForm(ActionForm):
    reason = forms.CharField(required=False, label="Reason (required to reject, request "
                             "changes or suspend)", widget=forms.TextInput(attrs={"size": 60}))


def _moderation_action(name: str, service, label: str):
    def run(modeladmin, request, queryset):
        reason = request.POST.get("reason", "")
        done = 0
        for listing in queryset:
            try:
                service(actor=request.user, listing=listing, reason=reason)
                done += 1
            except ApplicationError as error:
                modeladmin.message_user(request, f"{listing}: {error.message}", messages.ERROR)
        if done:
            modeladmin.message_user(request, f"{label}: {done} listing(s).", messages.SUCCESS)

    run.__name__ = name
    run.short_description = label
    run.allowed_permissions = ("moderate",)
    return run


class LicenseOfferInline(admin.TabularInline):
    model = LicenseOffer
    extra = 0
    can_delete = False
    readonly_fields = ["media", "territories", "term_months", "exclusive", "price_krw",
                       "royalty_pct"]
    fields = readonly_fields

    def has_add_permission(self, request, obj=None):
        return False


class MediaAssetInline(admin.TabularInline):
    model = MediaAsset
    extra = 0
    can_delete = False
    fields = ["role", "kind", "original_name", "content_type", "size", "sha256", "file"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Listing)
class ListingAdmin(admin.ModelAdmin):
    list_display = ["title", "ip_type", "region", "creator_name", "owner", "status",
                    "submitted_at", "published_at"]
    list_filter = ["status", "ip_type", "region", "language"]
    search_fields = ["title", "external_id", "creator_name", "owner__email"]
    ordering = ["status", "submitted_at"]
    inlines = [LicenseOfferInline, MediaAssetInline]
    action_form = ReasonActionForm
    actions = [
        _moderation_action("approve", services.listing_approve, "Approve and publish"),
        _moderation_action("reject", services.listing_reject, "Reject (reason required)"),
        _moderation_action("request_changes", services.listing_request_changes,
                           "Request changes (reason required)"),
        _moderation_action("suspend", services.listing_suspend, "Suspend (reason required)"),
        _moderation_action("reinstate", services.listing_reinstate, "Reinstate"),
    ]
    # Everything changes through the workflow: the admin form only shows.
    readonly_fields = [f.name for f in Listing._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_moderate_permission(self, request):
        return request.user.is_moderator


@admin.register(SubmittedListing)
class ReviewQueueAdmin(ListingAdmin):
    list_filter = ["ip_type", "region", "language"]
    ordering = ["submitted_at", "id"]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(status=ListingStatus.SUBMITTED)


@admin.register(Report)
class ReportAdmin(ReadOnlyAdmin):
    """Reports are filed by users and resolved on the moderation pages (or the API), through
    listings.services.reports: here they are only looked up."""

    list_display = ["created_at", "listing", "kind", "reporter", "status", "resolved_by",
                    "resolved_at"]
    list_filter = ["status", "kind"]
    search_fields = ["listing__title", "listing__external_id", "reporter__email",
                     "reporter__display_name", "description"]
    date_hierarchy = "created_at"
    list_select_related = ["listing", "reporter", "resolved_by"]
    readonly_fields = [f.name for f in Report._meta.fields]
