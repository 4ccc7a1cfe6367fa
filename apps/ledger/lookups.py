"""Finding what a ledger's cells name: dates, and the units and people, with a few queries for a whole file."""

from __future__ import annotations

import datetime
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from typing import Any

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


def split_key(text: str) -> tuple[str, str]:
    """(name, key) of 张敏（owner） or 五华区（WH）; (text, "") when there is no key in brackets."""
    match = NAME_WITH_KEY.match(text)
    return (match["name"], match["key"]) if match else (text, "")


class Resolver:
    """Finds the units and people a file names, with a few queries for the whole file."""

    def __init__(self, rows: Sequence[LedgerRow]) -> None:
        texts = {row.cells.get(key, "") for row in rows for key in ("unit", "responsible_unit")} - {""}
        words = texts | {part for text in texts for part in split_key(text) if part}
        self.units_by_code: dict[str, Unit] = {}
        self.units_by_name: dict[str, list[Unit]] = defaultdict(list)
        for chunk in chunks(words):
            for unit in Unit.objects.filter(Q(code__in=chunk) | Q(name__in=chunk)):
                if unit.code not in self.units_by_code:
                    self.units_by_code[unit.code] = unit
                    self.units_by_name[unit.name].append(unit)
        self.people: dict[tuple[int, str], list[tuple[int, str]]] = defaultdict(list)

    def unit(self, text: str, allowed: Callable[[Unit], bool]) -> tuple[Unit | None, str]:
        """The unit a cell names and an empty message, or None and what is wrong."""
        name, key = split_key(text)
        unit = self.units_by_code.get(text) or self.units_by_code.get(key)
        candidates = [unit] if unit else self.units_by_name.get(text, []) or self.units_by_name.get(name, [])
        reachable = [candidate for candidate in candidates if allowed(candidate)]
        if len(reachable) == 1:
            return reachable[0], ""
        if len(reachable) > 1:
            codes = "、".join(candidate.code for candidate in reachable)
            return None, _("Several units are named “%(value)s” (%(codes)s): give the code.") % {
                "value": text,
                "codes": codes,
            }
        if candidates:
            return None, ""  # exists but out of reach: the caller says which reach
        return None, _("Unknown unit “%(value)s”: give its code or its exact name.") % {"value": text}

    def load_people(self, wanted: set[tuple[int, str]]) -> None:
        """Load the members of the named units whose user name or name appears in the file."""
        words_by_unit: dict[int, set[str]] = defaultdict(set)
        for unit_id, text in wanted:
            words_by_unit[unit_id].update(part for part in (text, *split_key(text)) if part)
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

    def person(self, text: str, unit: Unit) -> tuple[int | None, str]:
        """The id of the member of `unit` a cell names, or None and what is wrong."""
        name, key = split_key(text)
        found = (
            self.people.get((unit.pk, "@" + text))
            or self.people.get((unit.pk, "@" + key))
            or self.people.get((unit.pk, text))
            or self.people.get((unit.pk, name))
            or []
        )
        if len(found) == 1:
            return found[0][0], ""
        if len(found) > 1:
            return None, _("Several people in %(unit)s are named “%(value)s” (%(usernames)s): give the user name.") % {
                "unit": unit.name,
                "value": text,
                "usernames": "、".join(username for _id, username in found),
            }
        return None, _(
            "Unknown person “%(value)s” in %(unit)s: give the user name or the exact name of a member of the unit."
        ) % {"value": text, "unit": unit.name}
