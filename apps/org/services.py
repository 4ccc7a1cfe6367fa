"""Writes to the unit tree."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from apps.core.generations import UNITS, generation_bump
from apps.org.models import Unit
from apps.org.paths import MAX_UNIT_ID, MAX_UNIT_LEVELS, PATH_SEGMENT_WIDTH


def unit_path(*, unit_id: int, parent: Unit | None) -> str:
    """The materialized path of a unit with this id under this parent."""
    prefix = parent.path if parent else ""
    return f"{prefix}{unit_id:0{PATH_SEGMENT_WIDTH}d}"


def unit_check_parent(*, parent: Unit | None) -> None:
    """Refuse a parent whose children would lie deeper than the unit path can hold (MAX_UNIT_LEVELS)."""
    if parent is not None and parent.depth + 1 >= MAX_UNIT_LEVELS:
        raise ValidationError(
            _("The unit tree is at most %(levels)s levels deep: no unit can be added below “%(parent)s”.")
            % {"parent": parent.name, "levels": MAX_UNIT_LEVELS},
            code="too_deep",
        )


@transaction.atomic
def unit_create(*, name: str, code: str, level: str, parent: Unit | None = None) -> Unit:
    """Create a unit under `parent` (or a root) with its path set.

    The path is the parent's path plus the new id in PATH_SEGMENT_WIDTH (8) digits, in a 255-character
    column: a tree holds at most MAX_UNIT_LEVELS (31) levels and ids up to MAX_UNIT_ID (99,999,999).
    A unit beyond either limit is refused with a ValidationError and nothing is written.
    """
    unit_check_parent(parent=parent)
    generation_bump(UNITS)  # the dashboards, cached under the units' generation, list children and names
    # The path needs the row's id, so the row is written once with a placeholder unique to it.
    unit = Unit.objects.create(
        name=name,
        code=code,
        level=level,
        parent=parent,
        path=f"pending:{code}",
        depth=parent.depth + 1 if parent else 0,
    )
    if unit.pk > MAX_UNIT_ID:
        # Raising inside the atomic block takes the row back out.
        raise ValidationError(
            _("The unit tree is full: unit numbers cannot go above %(limit)s.") % {"limit": f"{MAX_UNIT_ID:,}"},
            code="id_too_large",
        )
    unit.path = unit_path(unit_id=unit.pk, parent=parent)
    unit.save(update_fields=["path"])
    return unit


@transaction.atomic
def unit_update(*, unit: Unit, name: str, code: str, level: str) -> Unit:
    """Rename or re-code a unit; its place in the tree does not change here."""
    generation_bump(UNITS)
    unit.name, unit.code, unit.level = name, code, level
    unit.full_clean(exclude=["parent", "path", "depth"])
    unit.save(update_fields=["name", "code", "level"])
    return unit
