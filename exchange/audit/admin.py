from django.contrib import admin

from exchange.admin import ReadOnlyAdmin

from .models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):  # the audit log is append-only, also for superusers
    list_display = ["created_at", "actor", "action", "target_type", "target_id", "from_state",
                    "to_state", "reason"]
    list_filter = ["action", "target_type"]
    search_fields = ["target_id", "reason", "actor__email"]
    date_hierarchy = "created_at"
