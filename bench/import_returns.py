"""Measure the bulk import of return events from CSV against saving rows one by one.

Run: ``.venv/bin/python -m bench.import_returns --size 1000000``. Prints one JSON
line with rows per second, peak memory and the speed-up over one ORM save() per row.
"""

import csv
import datetime
import os
import random
import time
from pathlib import Path
from typing import Any

from bench.common import BENCH_DIR, Timer, emit, parse_args, peak_rss_mb, setup_database

TARGET_ROWS_PER_S = 20_000
TARGET_RATIO = 25
TARGET_RSS_MB = 1024
BASELINE_SAMPLE = 2_000
HEADERS = [
    "person_ref",
    "given_name",
    "family_name",
    "sex",
    "date_of_birth",
    "nationality",
    "from_country",
    "to_country",
    "return_date",
    "mode",
    "permanence",
    "voluntariness",
    "reasons",
    "intended_stay",
    "settlement_area",
    "assets_bracket",
]
GIVEN = [
    "Amina",
    "Mohamed",
    "Youssef",
    "Fatima",
    "Ion",
    "Maria",
    "Nguyễn Thi",
    "Oksana",
    "José",
    "Ana",
    "Kwame",
    "Aïcha",
    "Dmitri",
    "Leila",
    "Carlos",
    "Mariam",
    "Ahmed",
    "Elena",
    "Samuel",
    "Grace",
    "Hassan",
    "Sofía",
    "Vasile",
    "Olena",
    "Juan",
]
FAMILY = [
    "El Amrani",
    "Benali",
    "Popescu",
    "Rusu",
    "Nguyen",
    "García",
    "López",
    "Mensah",
    "Kovalenko",
    "Traoré",
    "Diallo",
    "Haddad",
    "Ortiz",
    "Ceban",
    "Boateng",
    "Mahmoud",
    "Tkachenko",
    "Pérez",
    "Ouédraogo",
    "Moreno",
]
ORIGINS = {
    "MA": ["MA-01", "MA-04", "MA-06"],
    "MD": ["MD-CU", "MD-BA"],
    "SN": ["SN-DK", "SN-TH"],
    "GH": ["GH-AA", "GH-AH"],
    "UA": ["UA-30", "UA-46"],
    "CO": ["CO-ANT", "CO-DC"],
    "VN": ["VN-HN", "VN-SG"],
}
HOSTS = ["BE", "FR", "ES", "IT", "DE", "NL", "US", "CA"]
VOLUNTARINESS = ["assisted", "spontaneous", "forced", "assisted voluntary return", "Forced"]
REASONS = [
    "family",
    "end_of_contract",
    "goal_achieved|family",
    "difficulty_abroad",
    "opportunity_at_home;family",
    "health",
    "order_to_leave",
    "",
]
STAYS = ["for_good", "1_to_5_years", "undecided", "3 to 12 months", ""]
ASSETS = ["none", "under_1k", "1k_to_5k", "not_declared", ""]


def write_csv(path: Path, size: int, seed: int = 2024) -> None:
    """Write a file like an agency's export: repeat returnees, mixed spellings, a few errors."""
    rng = random.Random(seed)
    start = datetime.date(2014, 1, 1).toordinal()
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(HEADERS)
        for n in range(size):
            # One row in ten is a further return of somebody already in the file.
            person = rng.randrange(max(n, 1)) if n and rng.random() < 0.1 else n
            prng = random.Random(person)
            origin = prng.choice(list(ORIGINS))
            born = datetime.date.fromordinal(start - prng.randrange(6_000, 25_000))
            returned = datetime.date.fromordinal(start + rng.randrange(3_900))
            row = [
                f"BRU-{person:08d}",
                prng.choice(GIVEN),
                prng.choice(FAMILY),
                prng.choice(["female", "male", "F", "M"]),
                born.isoformat() if prng.random() < 0.7 else born.strftime("%d/%m/%Y"),
                origin,
                rng.choice(HOSTS),
                origin,
                returned.isoformat() if rng.random() < 0.8 else returned.strftime("%d/%m/%Y"),
                "physical" if rng.random() < 0.97 else "virtual",
                rng.choice(["permanent", "temporary", "circular"]),
                rng.choice(VOLUNTARINESS),
                rng.choice(REASONS),
                rng.choice(STAYS),
                rng.choice(ORIGINS[origin]) if rng.random() < 0.6 else "",
                rng.choice(ASSETS),
            ]
            if rng.random() < 0.002:
                row[8] = "31/02/2020"  # an impossible date, rejected with its row number
            writer.writerow(row)


def _setup_actor() -> tuple[Any, int, int]:
    from django.contrib.auth.models import User

    from retorno.accounts.models import Membership, Organisation, OrganisationKind
    from retorno.accounts.roles import Role
    from retorno.core.audit import command_actor

    user = User.objects.create_user("bench")
    orgs = []
    for name in ("Brussels Return Office", "Baseline Office"):
        org = Organisation.objects.create(name=name, kind=OrganisationKind.NGO, country="BE")
        Membership.objects.create(user=user, organisation=org, role=Role.ADMINISTRATOR)
        orgs.append(org.pk)
    return command_actor(user), orgs[0], orgs[1]


def run_import(actor: Any, organisation_id: int, path: Path) -> Any:
    """Upload, map and import the file; return the finished batch."""
    from django.core.files.uploadedfile import UploadedFile

    from retorno.imports.services import (
        import_batch_create,
        import_batch_run,
        import_batch_set_mapping,
    )

    with path.open("rb") as handle:
        upload = UploadedFile(handle, name=path.name, size=path.stat().st_size)
        batch = import_batch_create(
            actor=actor,
            organisation_id=organisation_id,
            uploaded_file=upload,
            source_name="Brussels Return Office export",
            mode="valid_rows",
            encoding="",
        )
    import_batch_set_mapping(actor=actor, batch_id=batch.pk, mapping=batch.mapping)
    return import_batch_run(batch_id=batch.pk)


def baseline_rows_per_s(actor: Any, organisation_id: int, path: Path) -> float:
    """Save the first rows one model instance at a time, as a naive importer would."""
    from django.db import transaction

    from retorno.imports.columns import suggest_mapping
    from retorno.imports.readers import TableReader
    from retorno.imports.values import RowParser
    from retorno.registry.models import Person, ReturnEvent
    from retorno.registry.services import person_key_rows

    with TableReader(path, "csv") as reader, Timer() as timer:
        parser = RowParser(suggest_mapping(reader.headers), reader.headers)
        done = 0
        for _number, cells in reader:
            values, errors = parser.parse(cells)
            if errors:
                continue
            with transaction.atomic():
                person = Person(
                    organisation_id=organisation_id,
                    given_name=values["given_name"],
                    family_name=values["family_name"],
                    sex=values["sex"],
                    date_of_birth=values["date_of_birth"],
                    created_by=actor.user,
                    source_ref=f"{values['person_ref']}-{done}",
                )
                person.save()
                for key in person_key_rows(person):
                    key.save()
                ReturnEvent(
                    organisation_id=organisation_id,
                    person=person,
                    from_country=values["from_country"],
                    to_country=values["to_country"],
                    return_date=values["return_date"],
                    mode=values["mode"],
                    permanence=values["permanence"],
                    voluntariness=values["voluntariness"],
                    reasons=list(values["reasons"]),
                    intended_stay=values["intended_stay"],
                    settlement_area=values["settlement_area"],
                    assets_bracket=values["assets_bracket"],
                    age_at_return=person.age_on(values["return_date"]),
                    created_by=actor.user,
                ).save()
            done += 1
            if done >= BASELINE_SAMPLE:
                break
    return done / timer.seconds


def main() -> None:
    args = parse_args(100_000, __doc__ or "")
    # A million rows is well over the upload limit meant for web users.
    os.environ["RETORNO_IMPORT_MAX_BYTES"] = str(4 * 2**30)
    os.environ["TASKS_BACKEND"] = "django_tasks.backends.dummy.DummyBackend"
    database = setup_database("import_returns")
    path = BENCH_DIR / f"returns_{args.size}.csv"
    if not path.exists():
        write_csv(path, args.size)
    actor, organisation_id, baseline_org = _setup_actor()

    cpu_before = time.process_time()
    with Timer() as timer:
        batch = run_import(actor, organisation_id, path)
    cpu_seconds = time.process_time() - cpu_before
    rows_per_s = args.size / timer.seconds
    rss = peak_rss_mb()
    baseline = baseline_rows_per_s(actor, baseline_org, path)
    ratio = rows_per_s / baseline
    emit(
        name="import_returns",
        size=args.size,
        seconds=timer.seconds,
        baseline=round(args.size / baseline, 1),
        ratio=round(ratio, 1),
        database=database.split(":", 1)[0],
        status=batch.status,
        rows_imported=batch.rows_imported,
        rows_rejected=batch.rows_rejected,
        rows_duplicate=batch.rows_duplicate,
        people_created=batch.people_created,
        rows_per_s=round(rows_per_s),
        peak_rss_mb=rss,
        # CPU time of all threads: shows how far a busy machine slowed the wall clock.
        cpu_seconds=round(cpu_seconds, 1),
        load_average=round(os.getloadavg()[0], 1),
        baseline_rows_per_s=round(baseline),
        target_rows_per_s=TARGET_ROWS_PER_S,
        target_ratio=TARGET_RATIO,
        target_rss_mb=TARGET_RSS_MB,
        targets_met=batch.status == "done"
        and rows_per_s >= TARGET_ROWS_PER_S
        and ratio >= TARGET_RATIO
        and rss < TARGET_RSS_MB,
    )


if __name__ == "__main__":
    main()
