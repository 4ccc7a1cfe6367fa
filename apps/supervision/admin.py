from django.contrib import admin

from apps.supervision.models import Chase, Notice, NoticeEvent


class NoticeEventInline(admin.TabularInline):
    model = NoticeEvent
    extra = 0
    can_delete = False
    readonly_fields = ["kind", "by", "at", "text"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Notice)
class NoticeAdmin(admin.ModelAdmin):
    """Notices are read here; every step goes through the portal's pages, so it is recorded."""

    list_display = ["__str__", "item", "colour", "status", "reply_by", "issued_by", "issued_at"]
    list_filter = ["colour", "status"]
    search_fields = ["number", "item__number", "item__title"]
    inlines = [NoticeEventInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Chase)
class ChaseAdmin(admin.ModelAdmin):
    list_display = ["item", "by", "to", "day", "at"]
    search_fields = ["item__number", "item__title"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
