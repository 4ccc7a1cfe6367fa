from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from apps.accounts.models import RoleAssignment, User
from apps.accounts.services import user_unlock_sign_in


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
    actions = ["unlock_sign_in"]
    fieldsets = DjangoUserAdmin.fieldsets + ((_("Portal"), {"fields": ["full_name", "unit", "title", "phone"]}),)
    add_fieldsets = DjangoUserAdmin.add_fieldsets + ((_("Portal"), {"fields": ["full_name", "unit", "title"]}),)

    @admin.action(description=_("Unlock sign-in"), permissions=["change"])
    def unlock_sign_in(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        """Lift the lockout after too many failed sign-ins, from every address (django-axes keeps the attempts)."""
        users = list(queryset)
        for user in users:
            user_unlock_sign_in(user=user)
        self.message_user(
            request,
            ngettext(
                "Sign-in unlocked for %(count)d user.",
                "Sign-in unlocked for %(count)d users.",
                len(users),
            )
            % {"count": len(users)},
        )
