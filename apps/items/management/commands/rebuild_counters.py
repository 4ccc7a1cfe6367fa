"""Recount the dashboard's rollup counters from the items and report any drift."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from apps.items.counters.writes import counters_rebuild

MAX_DRIFT_LINES = 200


class Command(BaseCommand):
    @property
    def help(self) -> str:  # a property because argparse cannot format a lazy translation
        return _(
            "Recount every dashboard counter from the items, print each cell that had drifted and write the "
            "right numbers. With --check nothing is written and drift makes the command fail."
        )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--check", action="store_true", help=_("Only report drift; exit with status 1 if any."))

    def handle(self, *args: Any, check: bool = False, **options: Any) -> None:
        drift = counters_rebuild(write=not check)
        for line in drift[:MAX_DRIFT_LINES]:
            self.stdout.write(f"drift: {line}")
        if len(drift) > MAX_DRIFT_LINES:
            self.stdout.write(_("… and %(count)d more.") % {"count": len(drift) - MAX_DRIFT_LINES})
        if not drift:
            self.stdout.write(self.style.SUCCESS(_("The counters match the items.")))
        elif check:
            raise CommandError(_("%(count)d counter cells differ from the items.") % {"count": len(drift)})
        else:
            self.stdout.write(
                self.style.WARNING(_("%(count)d counter cells had drifted and were rewritten.") % {"count": len(drift)})
            )
