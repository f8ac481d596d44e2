"""``retorno demo``: fill an empty registry with realistic synthetic returnees."""

import sys
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from retorno.demo.generate import demo_load, logins_table


class Command(BaseCommand):
    help = (
        "Load deterministic demo data (organisations, one user per role, people, households, "
        "episodes abroad and returns). Does nothing if the registry already has people, "
        "unless --append is given."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
        parser.add_argument(
            "--people", type=int, default=2_000, help="number of people (default 2,000)"
        )
        parser.add_argument(
            "--append", action="store_true", help="add data even if the registry has people"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        people: int = options["people"]
        started = time.monotonic()
        # Progress only for loads long enough to make somebody wonder.
        verbose = options["verbosity"] >= 1 and people >= 50_000

        def progress(done: int, total: int) -> None:
            if verbose and (done % 50_000 == 0 or done == total):
                rate = done / max(time.monotonic() - started, 1e-9)
                sys.stderr.write(f"  {done:>10,} / {total:,} people ({rate:,.0f}/s)\n")

        result = demo_load(
            seed=options["seed"], people=people, append=options["append"], progress=progress
        )
        if result.skipped:
            self.stdout.write(
                "The registry already has people; no demo data added (use --append to add anyway)."
            )
        else:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Demo data loaded: {result.people:,} people, {result.households:,} "
                    f"households, {result.returns:,} returns in {result.seconds:.1f} s "
                    f"(seed {options['seed']})."
                )
            )
        self.stdout.write("Demo logins:\n" + logins_table())
