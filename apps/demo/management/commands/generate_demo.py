"""Generate demo data at scale under a fresh root: the Kunming 2021 figures, or a synthetic tree of any size."""

import datetime
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from apps.demo.generator import generate_demo, kunming_plan, synthetic_plan
from apps.items.models import Category


class Command(BaseCommand):
    @property
    def help(self) -> str:  # a property because argparse cannot format a lazy translation
        return _(
            "Build a new unit tree with its items in bulk, beside whatever the database holds: "
            "--profile kunming-2021 reproduces the four Kunming figures; --items N builds a synthetic tree."
        )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--profile", choices=["kunming-2021"], help=_("The Kunming 2021 figures of DOMAIN.md."))
        parser.add_argument("--items", type=int, help=_("How many items a synthetic tree gets."))
        parser.add_argument(
            "--units", type=int, help=_("About how many units the synthetic tree has (default: one per 135 items).")
        )
        parser.add_argument("--levels", type=int, default=5, help=_("Levels of the synthetic tree (default 5)."))
        parser.add_argument(
            "--scale", type=float, default=1.0, help=_("Scale the Kunming figures, e.g. 0.01 for a quick try.")
        )
        parser.add_argument("--seed", type=int, default=2021)
        parser.add_argument(
            "--no-histories",
            action="store_true",
            help=_("Write no transitions or progress notes (by default most items carry their recorded story)."),
        )
        parser.add_argument(
            "--as-of",
            type=datetime.date.fromisoformat,
            help=_("The day the generated story has reached (default: today), e.g. 2021-07-15."),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if bool(options["profile"]) == bool(options["items"]):
            raise CommandError(_("Give either --profile kunming-2021 or --items N."))
        if not Category.objects.exists():
            raise CommandError(_("There are no categories; run “manage.py migrate” first."))
        if options["profile"]:
            plan = kunming_plan(options["scale"])
            shape = {"profile": options["profile"]}
        else:
            if options["items"] < 1 or options["levels"] < 2:
                raise CommandError(_("--items must be positive and --levels at least 2."))
            plan = synthetic_plan(options["items"])
            units = options["units"] or max(options["levels"], options["items"] // 135)
            shape = {"profile": "synthetic", "units": units, "levels": options["levels"]}
        started = time.monotonic()
        demo = generate_demo(
            plan=plan,
            seed=options["seed"],
            as_of=options["as_of"],
            histories=not options["no_histories"],
            log=lambda line: self.stdout.write(f"{time.monotonic() - started:7.1f} s  {line}"),
            **shape,
        )
        seconds = time.monotonic() - started
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "Created %(units)s units, %(people)s people and %(items)s items under “%(root)s” (id %(id)s) "
                    "in %(seconds).1f s."
                )
                % {
                    "units": f"{demo.units:,}",
                    "people": f"{demo.people:,}",
                    "items": f"{demo.items:,}",
                    "root": demo.root.name,
                    "id": demo.root.pk,
                    "seconds": seconds,
                }
            )
        )
