"""Finding what a ledger's cells name: dates, and the units and people, with a few queries for a whole file.

Names written in traditional characters (五華區, 張敏) are matched through their simplified form (OpenCC's
traditional → simplified conversion), only when the name as written matches nothing; the check then says
which name it matched.
"""

from __future__ import annotations

import datetime
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from functools import cache, lru_cache
from typing import Any

import opencc
from django.db.models import Q
from django.utils.translation import gettext as _

from apps.accounts.models import User
from apps.ledger.reading import LedgerRow
from apps.org.models import Unit

QUERY_CHUNK = 500  # values per IN (…) list: well inside SQLite's limit on query parameters
# 张敏（owner）, 五华区（WH）: a name with the user name or unit code that makes it unambiguous.
NAME_WITH_KEY = re.compile(r"^(?P<name>.*?)\s*[（(]\s*(?P<key>[^()（）]+?)\s*[)）]$")
DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y%m%d")


def parse_date(value: Any) -> datetime.date | None:
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(value)  # the common case, and the fastest
    except ValueError:
        pass
    for date_format in DATE_FORMATS:
        try:
            return datetime.datetime.strptime(value, date_format).date()
        except ValueError:
            continue
    raise ValueError(value)


def chunks(values: Iterable[str]) -> Iterable[list[str]]:
    values = sorted(values)
    for start in range(0, len(values), QUERY_CHUNK):
        yield values[start : start + QUERY_CHUNK]


@cache
def _converter() -> opencc.OpenCC:
    return opencc.OpenCC("t2s.json")


@lru_cache(maxsize=65_536)
def simplified(text: str) -> str:
    """The text in simplified characters (五華區 → 五华区); the text itself when it has no traditional ones."""
    return _converter().convert(text) if text and not text.isascii() else text


def matched_note(text: str, name: str) -> str:
    """What the preview says of a name found only through its simplified form."""
    return _("Matched “%(value)s” by its simplified form “%(name)s”.") % {"value": text, "name": name}


def split_key(text: str) -> tuple[str, str]:
    """(name, key) of 张敏（owner） or 五华区（WH）; (text, "") when there is no key in brackets."""
    match = NAME_WITH_KEY.match(text)
    return (match["name"], match["key"]) if match else (text, "")


class Resolver:
    """Finds the units and people a file names, with a few queries for the whole file."""

    def __init__(self, rows: Sequence[LedgerRow]) -> None:
        texts = {row.cells.get(key, "") for row in rows for key in ("unit", "responsible_unit")} - {""}
        words = texts | {part for text in texts for part in split_key(text) if part}
        words |= {simplified(word) for word in words}
        self.units_by_code: dict[str, Unit] = {}
        self.units_by_name: dict[str, list[Unit]] = defaultdict(list)
        for chunk in chunks(words):
            for unit in Unit.objects.filter(Q(code__in=chunk) | Q(name__in=chunk)):
                if unit.code not in self.units_by_code:
                    self.units_by_code[unit.code] = unit
                    self.units_by_name[unit.name].append(unit)
        self.people: dict[tuple[int, str], list[tuple[int, str]]] = defaultdict(list)

    def unit(self, text: str, allowed: Callable[[Unit], bool]) -> tuple[Unit | None, str, str]:
        """The unit a cell names and "", or None and what is wrong; and a note when it was found only by its
        simplified form (a name written in traditional characters)."""
        unit, message, known = self._unit(text, allowed)
        if not known:
            converted = simplified(text)
            if converted != text:
                found, found_message, found_known = self._unit(converted, allowed)
                if found_known:
                    return found, found_message, matched_note(text, found.name) if found else ""
        return unit, message, ""

    def _unit(self, text: str, allowed: Callable[[Unit], bool]) -> tuple[Unit | None, str, bool]:
        """(unit, problem, whether any unit has that code or name)."""
        name, key = split_key(text)
        unit = self.units_by_code.get(text) or self.units_by_code.get(key)
        candidates = [unit] if unit else self.units_by_name.get(text, []) or self.units_by_name.get(name, [])
        reachable = [candidate for candidate in candidates if allowed(candidate)]
        if len(reachable) == 1:
            return reachable[0], "", True
        if len(reachable) > 1:
            codes = "、".join(candidate.code for candidate in reachable)
            message = _("Several units are named “%(value)s” (%(codes)s): give the code.") % {
                "value": text,
                "codes": codes,
            }
            return None, message, True
        if candidates:
            return None, "", True  # exists but out of reach: the caller says which reach
        return None, _("Unknown unit “%(value)s”: give its code or its exact name.") % {"value": text}, False

    def load_people(self, wanted: set[tuple[int, str]]) -> None:
        """Load the members of the named units whose user name or name appears in the file."""
        words_by_unit: dict[int, set[str]] = defaultdict(set)
        for unit_id, text in wanted:
            parts = {part for part in (text, *split_key(text)) if part}
            words_by_unit[unit_id].update(parts | {simplified(part) for part in parts})
        words = set().union(*words_by_unit.values()) if words_by_unit else set()
        unit_ids = list(words_by_unit)
        for chunk in chunks(words):
            people = User.objects.filter(unit_id__in=unit_ids).filter(Q(username__in=chunk) | Q(full_name__in=chunk))
            for person_id, username, full_name, unit_id in people.values_list("pk", "username", "full_name", "unit_id"):
                self.people[(unit_id, "@" + username)] = [(person_id, username)]
                if full_name:
                    entry = self.people[(unit_id, full_name)]
                    if (person_id, username) not in entry:
                        entry.append((person_id, username))

    def person(self, text: str, unit: Unit) -> tuple[int | None, str, str]:
        """The id of the member of `unit` a cell names, what is wrong (or ""), and a note when it was found by
        its simplified form."""
        found = self._people(text, unit)
        note = ""
        if not found:
            converted = simplified(text)
            if converted != text:
                found = self._people(converted, unit)
                note = matched_note(text, converted) if found else ""
        if len(found) == 1:
            return found[0][0], "", note
        if len(found) > 1:
            return (
                None,
                _("Several people in %(unit)s are named “%(value)s” (%(usernames)s): give the user name.")
                % {"unit": unit.name, "value": text, "usernames": "、".join(username for _id, username in found)},
                "",
            )
        return (
            None,
            _("Unknown person “%(value)s” in %(unit)s: give the user name or the exact name of a member of the unit.")
            % {"value": text, "unit": unit.name},
            "",
        )

    def _people(self, text: str, unit: Unit) -> list[tuple[int, str]]:
        name, key = split_key(text)
        return (
            self.people.get((unit.pk, "@" + text))
            or self.people.get((unit.pk, "@" + key))
            or self.people.get((unit.pk, text))
            or self.people.get((unit.pk, name))
            or []
        )
