# Performance-critical: guarded by bench/ledger.py; run `make bench` after changing it.
"""Checking every row of a ledger for one import, and writing it: all rows or none."""

from __future__ import annotations

import datetime
import re
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import IO, Any

from django.db import transaction
from django.utils.translation import gettext as _

from apps.accounts.models import User
from apps.core.exceptions import ServiceError, ServicePermissionError
from apps.items.bulk import item_bulk_create
from apps.items.models import KIND_OF_OWNER_TYPE, OPEN_STATUSES, PERSON_OWNED_TYPES, Category, Source, WorkItem
from apps.items.rules import user_can_edit_item
from apps.items.services import item_update
from apps.ledger.columns import COLUMN_BY_KEY, NO_WORDS, REQUIRED_KEYS, YES_WORDS, choice_lookup, ledger_labels
from apps.ledger.lookups import Resolver, chunks, parse_date
from apps.ledger.reading import LedgerProblem, LedgerRow, ledger_read
from apps.org.models import Unit
from apps.org.scope import user_reaches

PREVIEW_ROWS = 20  # the rows the preview lists of those an import creates or changes


@dataclass
class LedgerCheck:
    """What importing the file would do, and every problem that stops it."""

    row_count: int = 0
    new_items: list[WorkItem] = field(default_factory=list)
    updates: list[tuple[WorkItem, dict[str, Any], int]] = field(default_factory=list)
    unchanged: int = 0
    problems: list[LedgerProblem] = field(default_factory=list)
    new_lines: list[tuple[str, int]] = field(default_factory=list)  # (sheet, row) of each new item, in order
    # What the check tells of a row without stopping it: a name found by its simplified form.
    notes: dict[tuple[str, int], list[str]] = field(default_factory=dict)
    unit_names: dict[int, str] = field(default_factory=dict)  # of the responsible units changes name
    update_sheets: list[str] = field(default_factory=list)  # the sheet of each update, in order

    @property
    def errors(self) -> list[LedgerProblem]:
        return [problem for problem in self.problems if not problem.warning]

    @property
    def is_valid(self) -> bool:
        return self.row_count > 0 and not self.errors

    def summary(self) -> dict[str, int]:
        return {"new": len(self.new_items), "updated": len(self.updates), "unchanged": self.unchanged}

    def item_ids(self) -> list[int]:
        """The items the import created and changed (after ledger_commit)."""
        return [item.pk for item in self.new_items] + [item.pk for item, _changes, _line in self.updates]

    def preview(self, limit: int = PREVIEW_ROWS) -> list[dict[str, Any]]:
        """The first rows the import would create or change, in the file's order, as the preview lists them."""
        entries = [(line, "new", item, {}) for line, item in zip(self.new_lines, self.new_items, strict=True)]
        entries += [
            ((sheet, line), "update", item, changes)
            for (item, changes, line), sheet in zip(self.updates, self.update_sheets, strict=True)
        ]
        entries.sort(key=lambda entry: entry[0])
        return [
            {
                "sheet": sheet,
                "row": line,
                "action": action,
                "number": item.number,
                "title": changes.get("title", item.title),
                "unit": item.unit.name,
                "responsible_unit": (
                    self.unit_names.get(changes["responsible_unit_id"], "")
                    if "responsible_unit_id" in changes
                    else item.responsible_unit.name
                ),
                "deadline": str(changes.get("deadline", item.deadline) or ""),
                "changes": [COLUMN_BY_KEY[name.removesuffix("_id")].header for name in changes],
                "notes": self.notes.get((sheet, line), []),
            }
            for (sheet, line), action, item, changes in entries[:limit]
        ]


TEXT_LIMITS = {"title": 200, "beneficiaries": 200, "number": 40}


class _RowChecker:
    """Checks one file's rows for one import: the target unit, the uploader and the lookups they need."""

    def __init__(self, *, rows: Sequence[LedgerRow], unit: Unit, by: User) -> None:
        self.rows = rows
        self.unit = unit
        self.by = by
        self.choices = choice_lookup()
        self.categories: dict[str, Category] = {}
        for category in Category.objects.all():
            for spelling in (category.code, category.name, category.name_en):
                if spelling:
                    self.categories.setdefault(spelling.lower(), category)
        self.resolver = Resolver(rows)
        self.check = LedgerCheck(row_count=len(rows))
        self.new_rows: list[LedgerRow] = []  # the row of each new item, in the same order

    def problem(self, row: LedgerRow, key: str, message: str, *, warning: bool = False) -> None:
        header = COLUMN_BY_KEY[key].header if key else ""
        self.check.problems.append(
            LedgerProblem(sheet=row.sheet, row=row.line, column=header, message=message, warning=warning)
        )

    def note(self, row: LedgerRow, key: str, note: str) -> None:
        """A name found by its simplified form: said in the row's preview and among the notes worth a look."""
        if note:
            self.check.notes.setdefault((row.sheet, row.line), []).append(note)
            self.problem(row, key, note, warning=True)

    def in_target(self, unit: Unit) -> bool:
        return unit.is_within(self.unit)

    def in_reach(self, unit: Unit) -> bool:
        return user_reaches(self.by, unit)

    def run(self, on_progress: Callable[[int], None] | None = None, *, warn: bool = True) -> LedgerCheck:
        units = [self.row_units(row) for row in self.rows]
        wanted = set()
        for row, (unit, responsible_unit) in zip(self.rows, units, strict=True):
            if unit and row.cells.get("owner_person"):
                wanted.add((unit.pk, row.cells["owner_person"]))
            if responsible_unit and row.cells.get("responsible_person"):
                wanted.add((responsible_unit.pk, row.cells["responsible_person"]))
        self.resolver.load_people(wanted)
        existing = self.existing_items()
        first_row_of_number: dict[str, LedgerRow] = {}
        step = max(len(self.rows) // 20, 1)
        for position, (row, (unit, responsible_unit)) in enumerate(zip(self.rows, units, strict=True)):
            number = row.cells.get("number", "")
            if number:
                if number in first_row_of_number:
                    earlier = first_row_of_number[number]
                    self.problem(
                        row,
                        "number",
                        _("The number %(number)s is also in row %(row)s.") % {"number": number, "row": earlier.line},
                    )
                    continue
                first_row_of_number[number] = row
            self.check_row(row, unit, responsible_unit, existing.get(number))
            if on_progress and position % step == 0:
                on_progress(position * 100 // len(self.rows))
        self.check_kept_numbers()
        if warn:
            self.warn_of_likely_duplicates()
        self.check.problems.sort(key=lambda problem: (problem.sheet, problem.row))
        return self.check

    def row_units(self, row: LedgerRow) -> tuple[Unit | None, Unit | None]:
        """The owning and the responsible unit a row names, each None when it names no usable one."""
        unit = self.unit
        text = row.cells.get("unit", "")
        if text:
            unit, message, note = self.resolver.unit(text, self.in_target)
            self.note(row, "unit", note)
            if unit is None:
                self.problem(
                    row,
                    "unit",
                    message
                    or _("“%(value)s” is not %(unit)s, the unit this ledger is imported for, or a unit below it.")
                    % {"value": text, "unit": self.unit.name},
                )
                return None, None
        responsible_unit = unit
        text = row.cells.get("responsible_unit", "")
        if text:
            responsible_unit, message, note = self.resolver.unit(text, self.in_reach)
            self.note(row, "responsible_unit", note)
            if responsible_unit is None:
                self.problem(
                    row,
                    "responsible_unit",
                    message or _("“%(value)s” is not your unit or a unit below it.") % {"value": text},
                )
        return unit, responsible_unit

    def existing_items(self) -> dict[str, WorkItem]:
        numbers = {row.cells["number"] for row in self.rows if row.cells.get("number")}
        found: dict[str, WorkItem] = {}
        for chunk in chunks(numbers):
            for item in WorkItem.objects.filter(number__in=chunk).select_related("unit", "responsible_unit"):
                found[item.number] = item
        return found

    def choice(self, row: LedgerRow, key: str, default: str = "") -> str | None:
        text = row.cells.get(key, "")
        if not text:
            return default
        value = self.choices[key].get(text.lower())
        if value is None:
            allowed = "、".join(ledger_labels()[key].values())
            self.problem(
                row, key, _("Unknown value “%(value)s”; allowed: %(allowed)s.") % {"value": text, "allowed": allowed}
            )
        return value

    def check_row(
        self, row: LedgerRow, unit: Unit | None, responsible_unit: Unit | None, existing: WorkItem | None
    ) -> None:
        errors_before = len(self.check.errors)
        cells = row.cells
        for key in REQUIRED_KEYS:
            # A column missing altogether is the file's problem; a formula never calculated, the reader's.
            if key in cells and not cells[key] and key not in row.unsaved:
                self.problem(row, key, _("This column must be filled in."))
        values: dict[str, Any] = {}
        owner_type = self.choice(row, "owner_type")
        kind = self.choice(row, "kind")
        if owner_type and kind and KIND_OF_OWNER_TYPE[owner_type] != kind:
            self.problem(
                row,
                "kind",
                _("“%(owner_type)s” keeps a “%(kind)s”, not a “%(given)s”.")
                % {
                    "owner_type": ledger_labels()["owner_type"][owner_type],
                    "kind": ledger_labels()["kind"][KIND_OF_OWNER_TYPE[owner_type]],
                    "given": ledger_labels()["kind"][kind],
                },
            )
        for key in ("title", "beneficiaries", "number"):
            text = cells.get(key, "")
            if len(text) > TEXT_LIMITS[key]:
                self.problem(
                    row,
                    key,
                    _("At most %(limit)s characters (this has %(length)s).")
                    % {"limit": TEXT_LIMITS[key], "length": len(text)},
                )
        for key in ("title", "content", "beneficiaries", "requirements"):
            values[key] = cells.get(key, "")
        if cells.get("category"):
            category = self.categories.get(cells["category"].lower())
            if category is None:
                self.problem(
                    row,
                    "category",
                    _("Unknown value “%(value)s”; allowed: %(allowed)s.")
                    % {
                        "value": cells["category"],
                        "allowed": "、".join(sorted({c.name for c in self.categories.values()})),
                    },
                )
            else:
                values["category_id"] = category.pk
        for key in ("start_date", "deadline"):
            values[key] = None
            if cells.get(key) not in ("", None):
                try:
                    values[key] = parse_date(cells[key])
                except ValueError:
                    self.problem(
                        row, key, _("Not a date: “%(value)s”. Write it like 2021-06-30.") % {"value": cells[key]}
                    )
        if values["start_date"] and values["deadline"] and values["deadline"] < values["start_date"]:
            self.problem(
                row,
                "deadline",
                _("The deadline cannot be before the start date (%(start)s).") % {"start": values["start_date"]},
            )
        is_key = str(cells.get("is_key", "")).lower()
        if is_key not in YES_WORDS | NO_WORDS:
            self.problem(row, "is_key", _("Write 是 or 否."))
        values["is_key"] = is_key in YES_WORDS
        values["key_level"] = self.choice(row, "key_level") or ""
        if values["is_key"] and not cells.get("key_level"):
            self.problem(row, "key_level", _("A key item needs the level that lists it."))
        values["source"] = self.choice(row, "source", Source.SELF) or Source.SELF
        values["owner_person_id"] = values["responsible_person_id"] = None
        if unit and cells.get("owner_person"):
            values["owner_person_id"], message, note = self.resolver.person(cells["owner_person"], unit)
            self.note(row, "owner_person", note)
            if message:
                self.problem(row, "owner_person", message)
        elif owner_type in PERSON_OWNED_TYPES:
            self.problem(row, "owner_person", _("A service-list item needs the person whose list it is."))
        if responsible_unit and cells.get("responsible_person"):
            values["responsible_person_id"], message, note = self.resolver.person(
                cells["responsible_person"], responsible_unit
            )
            self.note(row, "responsible_person", note)
            if message:
                self.problem(row, "responsible_person", message)
        if len(self.check.errors) > errors_before or unit is None or responsible_unit is None:
            return
        values["responsible_unit_id"] = responsible_unit.pk
        kind = kind or KIND_OF_OWNER_TYPE[owner_type]
        number = cells.get("number", "")
        if existing is not None:
            self.check.unit_names[responsible_unit.pk] = responsible_unit.name
            self.compare(row, existing, unit, kind, owner_type, values)
            return
        item = WorkItem(unit=unit, responsible_unit=responsible_unit, kind=kind, owner_type=owner_type, **values)
        if number and not self.keep_number(row, item, number):
            return
        self.check.new_items.append(item)
        self.check.new_lines.append((row.sheet, row.line))
        self.new_rows.append(row)

    def keep_number(self, row: LedgerRow, item: WorkItem, number: str) -> bool:
        """Keep a number the file carries for an item not in the portal (a ledger brought from elsewhere)."""
        match = re.fullmatch(rf"{re.escape(item.unit.code)}-(\d{{4}})-(\d{{1,6}})", number)
        if not match:
            self.problem(
                row,
                "number",
                _(
                    "No item has the number %(number)s. Leave the number empty for a new item, or write one of "
                    "this unit's own form (%(example)s)."
                )
                % {"number": number, "example": f"{item.unit.code}-2021-0001"},
            )
            return False
        item.number, item.year, item.sequence = number, int(match[1]), int(match[2])
        return True

    def check_kept_numbers(self) -> None:
        """A kept number's place in its unit's numbering may be taken under another code (a re-coded unit)."""
        wanted: dict[tuple[int, int], dict[int, LedgerRow]] = defaultdict(dict)
        for item, row in zip(self.check.new_items, self.new_rows, strict=True):
            if item.number:
                wanted[(item.unit_id, item.year)][item.sequence] = row
        for (unit_id, year), rows in wanted.items():
            for chunk in chunks(rows):
                taken = WorkItem.objects.filter(unit_id=unit_id, year=year, sequence__in=chunk)
                for sequence in taken.values_list("sequence", flat=True):
                    self.problem(
                        rows[sequence],
                        "number",
                        _("Another item of this unit already has this place in the numbering."),
                    )

    def compare(
        self, row: LedgerRow, item: WorkItem, unit: Unit, kind: str, owner_type: str, values: dict[str, Any]
    ) -> None:
        """A row naming an existing item: unchanged, changes to an open item, or a problem."""
        if not (item.unit.is_within(self.unit) and self.in_reach(item.unit)):
            self.problem(
                row,
                "number",
                _("The number %(number)s is taken by an item outside your units.") % {"number": item.number},
            )
            return
        if item.unit_id != unit.pk:
            self.problem(
                row,
                "unit",
                _("Item %(number)s belongs to %(unit)s; an import cannot move it.")
                % {"number": item.number, "unit": item.unit.name},
            )
            return
        if (item.kind, item.owner_type) != (kind, owner_type):
            self.problem(
                row,
                "owner_type",
                _("Item %(number)s is kept by %(owner_type)s; an import cannot change that.")
                % {"number": item.number, "owner_type": ledger_labels()["owner_type"][item.owner_type]},
            )
            return
        changes = {name: value for name, value in values.items() if getattr(item, name) != value}
        if not changes:
            self.check.unchanged += 1
            return
        if item.status not in OPEN_STATUSES:
            self.problem(
                row,
                "number",
                _("Item %(number)s is “%(status)s”; an import can change only open items.")
                % {"number": item.number, "status": ledger_labels()["status"][item.status]},
            )
            return
        if not user_can_edit_item(self.by, item):
            self.problem(row, "number", _("You cannot edit item %(number)s.") % {"number": item.number})
            return
        self.check.updates.append((item, changes, row.line))
        self.check.update_sheets.append(row.sheet)

    def warn_of_likely_duplicates(self) -> None:
        """A new row with the title and deadline of an item its unit already has was probably imported before."""
        new_items = self.check.new_items
        titles = {item.title for item in new_items}
        unit_ids = sorted({item.unit_id for item in new_items})
        known: dict[tuple[int, str, datetime.date], str] = {}
        for chunk in chunks(titles):
            for unit_id, title, deadline, number in WorkItem.objects.filter(
                unit_id__in=unit_ids, title__in=chunk
            ).values_list("unit_id", "title", "deadline", "number"):
                known[(unit_id, title, deadline)] = number
        for item, row in zip(new_items, self.new_rows, strict=True):
            number = known.get((item.unit_id, item.title, item.deadline))
            if number:
                self.problem(
                    row,
                    "title",
                    _(
                        "Item %(number)s of this unit has the same title and deadline; "
                        "importing this row creates a second one."
                    )
                    % {"number": number},
                    warning=True,
                )


def ledger_check(
    *,
    rows: Sequence[LedgerRow],
    unit: Unit,
    by: User,
    on_progress: Callable[[int], None] | None = None,
    warn: bool = True,
) -> LedgerCheck:
    """Check every row of a ledger for `unit`, as `by` would import it; nothing is written.

    `warn` adds the notes that do not stop an import (a row like an item already there); the check
    repeated just before writing leaves them out, as the preview showed them.
    """
    if not user_reaches(by, unit):
        raise ServicePermissionError(_("“%(unit)s” is not your unit or a unit below it.") % {"unit": unit})
    if not rows:
        check = LedgerCheck()
        check.problems.append(LedgerProblem(row=1, column="", message=_("The file has no rows to import.")))
        return check
    return _RowChecker(rows=rows, unit=unit, by=by).run(on_progress, warn=warn)


@transaction.atomic
def ledger_commit(*, check: LedgerCheck, by: User, reason: str) -> dict[str, int]:
    """Write a checked ledger: every new item and every change, or nothing at all."""
    if not check.is_valid:
        raise ServiceError(_("The ledger has problems; nothing was imported."))
    item_bulk_create(by=by, items=check.new_items, reason=reason)
    for item, changes, line in check.updates:
        fields = {name.removesuffix("_id"): value for name, value in changes.items()}
        for name in ("category", "responsible_unit", "responsible_person", "owner_person"):
            if name in fields and fields[name] is not None:
                fields[name] = item._meta.get_field(name).related_model.objects.get(pk=fields[name])
        try:
            item_update(item=item, by=by, **fields)
        except ServiceError as error:
            raise ServiceError(_("Row %(row)s: %(problem)s") % {"row": line, "problem": error.message}) from error
    return check.summary()


def ledger_import(*, source: IO[bytes], name: str, unit: Unit, by: User) -> LedgerCheck:
    """Read, check and, when every row is right, write a ledger in one go (the worker and scripts use it)."""
    rows, problems = ledger_read(source, name)
    check = ledger_check(rows=rows, unit=unit, by=by)
    check.problems[:0] = problems
    if check.is_valid:
        ledger_commit(check=check, by=by, reason=_("Imported from the ledger %(file)s") % {"file": name})
    return check
