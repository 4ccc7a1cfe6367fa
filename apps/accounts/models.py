"""People who use the portal and the roles they hold."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from apps.org.scope import in_reach_of


class Role(models.TextChoices):
    OFFICIAL = "official", _("Official")
    UNIT_ADMIN = "unit_admin", _("Unit administrator")
    LEADER = "leader", _("Leader")
    SUPERVISOR = "supervisor", _("Supervisor")
    REPORTING_STAFF = "reporting_staff", _("Reporting staff")
    SYSTEM_ADMIN = "system_admin", _("System administrator")


class PersonManager(UserManager):
    def visible_to(self, user: User) -> models.QuerySet[User]:
        """The people of the units the user reaches (org.scope); everyone, for those who reach everything."""
        return in_reach_of(self.get_queryset(), user, "unit__path")


class User(AbstractUser):
    """A person with a login, belonging to one unit and holding any number of roles."""

    full_name = models.CharField(_("full name"), max_length=50, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("unit"), null=True, blank=True, on_delete=models.PROTECT, related_name="members"
    )
    title = models.CharField(_("post"), max_length=50, blank=True, help_text=_("e.g. 区委书记"))

    objects = PersonManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["username"]

    def __str__(self) -> str:
        return self.full_name or self.username

    @cached_property
    def roles(self) -> frozenset[str]:
        return frozenset(self.role_assignments.values_list("role", flat=True))

    def has_role(self, *roles: str) -> bool:
        return self.is_superuser or bool(self.roles.intersection(roles))

    @property
    def sees_everything(self) -> bool:
        """System administrators see every unit; everyone else sees their own subtree."""
        return self.is_superuser or Role.SYSTEM_ADMIN in self.roles

    def role_labels(self) -> list[str]:
        return [str(Role(role).label) for role in sorted(self.roles)]


class RoleAssignment(models.Model):
    """One role held by one user."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_assignments")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)

    class Meta:
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        constraints = [models.UniqueConstraint(fields=["user", "role"], name="unique_role_per_user")]

    def __str__(self) -> str:
        return str(self.get_role_display())
