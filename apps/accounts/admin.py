from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from apps.accounts.models import RoleAssignment, User


class RoleAssignmentInline(admin.TabularInline):
    model = RoleAssignment
    extra = 1


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "full_name", "unit", "title", "is_active"]
    list_filter = ["role_assignments__role", "is_active", "unit__level"]
    search_fields = ["username", "full_name", "unit__name"]
    autocomplete_fields = ["unit"]
    inlines = [RoleAssignmentInline]
    fieldsets = DjangoUserAdmin.fieldsets + ((_("Portal"), {"fields": ["full_name", "unit", "title", "phone"]}),)
    add_fieldsets = DjangoUserAdmin.add_fieldsets + ((_("Portal"), {"fields": ["full_name", "unit", "title"]}),)
