"""The tree of units (单位/组织) every item and person hangs on."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.org.paths import (
    PATH_MAX_LENGTH,
    PATH_SEGMENT_WIDTH,
    subtree_q,
)
from apps.org.scope import in_reach_of

if TYPE_CHECKING:
    from apps.accounts.models import User


class UnitLevel(models.TextChoices):
    PROVINCE = "province", _("Province")
    CITY = "city", _("City")
    COUNTY = "county", _("County / district")
    TOWNSHIP = "township", _("Township / street")
    VILLAGE = "village", _("Village / community")
    DEPARTMENT = "department", _("Department")
    ENTERPRISE = "enterprise", _("Enterprise")
    PARTY_ORGANISATION = "party_org", _("Party organisation")


class UnitQuerySet(models.QuerySet):
    def subtree_of(self, unit: Unit) -> UnitQuerySet:
        return self.filter(subtree_q(unit.path))

    def visible_to(self, user: User) -> UnitQuerySet:
        """The units a user may see: their own unit and everything below it (org.scope)."""
        return in_reach_of(self, user, "path")


class Unit(models.Model):
    """A unit of the tree: a place, a department, an enterprise or a party organisation."""

    name = models.CharField(_("name"), max_length=100)
    code = models.CharField(
        _("code"),
        max_length=20,
        unique=True,
        help_text=_("Short letters used in item numbers, e.g. WH for 五华区."),
    )
    level = models.CharField(_("level"), max_length=20, choices=UnitLevel.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent unit"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    path = models.CharField(_("path"), max_length=PATH_MAX_LENGTH, unique=True, editable=False)
    depth = models.PositiveSmallIntegerField(_("depth"), editable=False, default=0)
    # Supervision settings (DOMAIN.md, "Supervision"): empty means "as the unit above", down to the defaults.
    warning_days = models.PositiveSmallIntegerField(
        _("warning window (working days)"),
        null=True,
        blank=True,
        help_text=_("An item lights yellow this many working days before its deadline. Empty: as the unit above."),
    )
    lag_tolerance = models.PositiveSmallIntegerField(
        _("schedule tolerance (points)"),
        null=True,
        blank=True,
        help_text=_(
            "An item lights yellow when its progress is this many points behind the share of its time already "
            "elapsed. Empty: as the unit above."
        ),
    )

    acknowledge_days = models.PositiveSmallIntegerField(
        _("acknowledgement limit (working days)"),
        null=True,
        blank=True,
        help_text=_(
            "An item assigned here is to be acknowledged within this many working days. Empty: as the unit above."
        ),
    )

    objects = UnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name

    def is_within(self, other: Unit) -> bool:
        """True when this unit is `other` or lies below it."""
        return self.path.startswith(other.path)

    def ancestors(self) -> UnitQuerySet:
        """This unit's ancestors from the root down, itself included."""
        prefixes = [self.path[:end] for end in range(PATH_SEGMENT_WIDTH, len(self.path) + 1, PATH_SEGMENT_WIDTH)]
        return Unit.objects.filter(path__in=prefixes).order_by("depth")
