from django.contrib import admin

from search.models import DirtyListing, DuplicateAlert


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
