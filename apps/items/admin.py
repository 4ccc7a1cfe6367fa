from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from apps.items.models import Category, ItemTransition, WorkItem


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "name_en", "code", "sort_order"]
    list_editable = ["sort_order"]
    search_fields = ["name", "name_en", "code"]


class ItemTransitionInline(admin.TabularInline):
    model = ItemTransition
    extra = 0
    can_delete = False
    readonly_fields = ["action", "from_status", "to_status", "by", "at", "reason"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(WorkItem)
class WorkItemAdmin(SimpleHistoryAdmin):
    """Items are read here; every change goes through the portal's pages, so its lifecycle is recorded."""

    list_display = ["number", "title", "kind", "owner_type", "unit", "status", "deadline", "progress_percent"]
    list_filter = ["kind", "owner_type", "status", "category", "is_key"]
    search_fields = ["number", "title", "unit__name"]
    inlines = [ItemTransitionInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
