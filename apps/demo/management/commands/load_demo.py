"""Load the demo data into an empty database and print the demo logins."""

import unicodedata
from typing import Any

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from apps.demo.cast import DEMO_PASSWORD
from apps.demo.loading import demo_load, demo_logins


def _width(text: str) -> int:
    """Columns `text` takes in a terminal: Chinese characters take two."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def format_table(header: list[str], rows: list[list[str]]) -> str:
    """A plain-text table whose columns line up even with Chinese text in them."""
    widths = [max(_width(row[column]) for row in [header, *rows]) for column in range(len(header))]
    lines = ["  ".join(_pad(cell, width) for cell, width in zip(row, widths, strict=True)) for row in [header, *rows]]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(line.rstrip() for line in lines)


class Command(BaseCommand):
    @property
    def help(self) -> str:  # a property because argparse cannot format a lazy translation
        return _("Load demo units, people and items into an empty database and print the demo logins.")

    def handle(self, *args: Any, **options: Any) -> None:
        if demo_load(stdout=self.stdout):
            self.stdout.write(self.style.SUCCESS(_("Demo data loaded.")))
        else:
            self.stdout.write(self.style.WARNING(_("Units already exist, so no demo data was loaded.")))
        users = demo_logins()
        if not users:
            self.stdout.write(_("There are no demo logins in this database."))
            return
        header = [_("Username"), _("Password"), _("Role"), _("Name"), _("Post"), _("Unit")]
        rows = [
            [user.username, DEMO_PASSWORD, ", ".join(user.role_labels()), user.full_name, user.title, str(user.unit)]
            for user in users
        ]
        self.stdout.write("")
        self.stdout.write(_("Demo logins (one per role):"))
        self.stdout.write(format_table(header, rows))
        self.stdout.write("")
        self.stdout.write(
            _("The other people of the demo (leadership-team and party members) use the same password; see /admin/.")
        )
