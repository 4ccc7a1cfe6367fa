"""The tree of units (单位/组织) every item and person hangs on."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from apps.accounts.models import User

# Each unit's path is its parent's path plus its own id as a fixed-width run of digits, so
# "every unit under X" is one range scan on an ordinary B-tree index:
#   X.path <= path < the path of X's next possible sibling.
# Paths hold digits only, which sort the same under every collation (PostgreSQL's locale
# collations ignore punctuation, so a separator or an end marker would not be safe there).
#
# The limits this gives (unit_create refuses a unit beyond them with a ValidationError):
# - depth: a 255-character column holds 255 // 8 = 31 segments, so a tree is at most 31 levels deep
#   (depth 0 to 30; province > city > county > township > village uses 5);
# - ids: a segment holds 8 digits, so unit ids run up to 99,999,999; a longer id would break the
#   fixed width every subtree range relies on.
PATH_SEGMENT_WIDTH = 8
PATH_MAX_LENGTH = 255
MAX_UNIT_LEVELS = PATH_MAX_LENGTH // PATH_SEGMENT_WIDTH
MAX_UNIT_ID = 10**PATH_SEGMENT_WIDTH - 1


def path_upper_bound(path: str) -> str:
    """The smallest path after every path of the subtree rooted at `path`."""
    return f"{path[:-PATH_SEGMENT_WIDTH]}{int(path[-PATH_SEGMENT_WIDTH:]) + 1:0{PATH_SEGMENT_WIDTH}d}"


def subtree_q(path: str, field: str = "path") -> Q:
    """Rows whose `field` (a unit path) lies in the subtree rooted at `path`."""
    return Q(**{f"{field}__gte": path, f"{field}__lt": path_upper_bound(path)})


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
        """The units a user may see: their own unit and everything below it."""
        if not user.is_authenticated:
            return self.none()
        if user.sees_everything:
            return self.all()
        if user.unit_id is None:
            return self.none()
        return self.filter(subtree_q(user.unit.path))


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
