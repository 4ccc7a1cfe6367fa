"""Writes to the unit tree."""

from django.db import transaction

from apps.org.models import PATH_SEGMENT_WIDTH, Unit


def unit_path(*, unit_id: int, parent: Unit | None) -> str:
    """The materialized path of a unit with this id under this parent."""
    prefix = parent.path if parent else ""
    return f"{prefix}{unit_id:0{PATH_SEGMENT_WIDTH}d}"


@transaction.atomic
def unit_create(*, name: str, code: str, level: str, parent: Unit | None = None) -> Unit:
    """Create a unit under `parent` (or a root) with its path set."""
    # The path needs the row's id, so the row is written once with a placeholder unique to it.
    unit = Unit.objects.create(
        name=name,
        code=code,
        level=level,
        parent=parent,
        path=f"pending:{code}",
        depth=parent.depth + 1 if parent else 0,
    )
    unit.path = unit_path(unit_id=unit.pk, parent=parent)
    unit.save(update_fields=["path"])
    return unit


@transaction.atomic
def unit_update(*, unit: Unit, name: str, code: str, level: str) -> Unit:
    """Rename or re-code a unit; its place in the tree does not change here."""
    unit.name, unit.code, unit.level = name, code, level
    unit.full_clean(exclude=["parent", "path", "depth"])
    unit.save(update_fields=["name", "code", "level"])
    return unit
