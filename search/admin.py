from django.contrib import admin

from exchange.admin import ReadOnlyAdmin
from search.models import DirtyListing, DuplicateAlert, SavedBrief


@admin.register(DuplicateAlert)
class DuplicateAlertAdmin(admin.ModelAdmin):
    list_display = ("listing", "similar_listing", "similarity", "dense_similarity",
                    "lexical_similarity", "status", "created_at")
    list_filter = ("status",)
    raw_id_fields = ("listing", "similar_listing")
    readonly_fields = ("listing", "similar_listing", "similarity", "dense_similarity",
                       "lexical_similarity", "created_at")
    actions = ["dismiss"]

    @admin.action(description="Dismiss the selected alerts")
    def dismiss(self, request, queryset):
        from search.duplicates import duplicate_alert_dismiss

        for alert in queryset:
            duplicate_alert_dismiss(actor=request.user, alert=alert)


@admin.register(DirtyListing)
class DirtyListingAdmin(admin.ModelAdmin):
    list_display = ("listing_id", "marked_at")

    def has_add_permission(self, request):
        return False


@admin.register(SavedBrief)
class SavedBriefAdmin(ReadOnlyAdmin):
    """Producers' saved briefs, to look up (support, what productions ask for); only their
    owners change them, through search.briefs."""

    list_display = ["title", "owner", "ip_type", "territory", "budget_krw", "start", "end",
                    "exclusive", "updated_at"]
    list_filter = ["ip_type", "territory", "exclusive"]
    search_fields = ["title", "text", "owner__email", "owner__display_name"]
    date_hierarchy = "updated_at"
    list_select_related = ["owner"]
    readonly_fields = [f.name for f in SavedBrief._meta.fields]
