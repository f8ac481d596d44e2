"""Measure the arrival desk's fuzzy person search on names typed as officers hear them.

Run: ``.venv/bin/python -m bench.person_search --size 1000000`` (SQLite), or with
``DATABASE_URL=postgres://…`` for PostgreSQL. The registry is filled by the demo
generator; 200 queries are built from real people with the mistakes desks make
(vowels, transliteration, a dropped, doubled or mistyped letter, lost accents,
names in the other order, a second family name left out, a day/month slip).
Prints one JSON line: p50/p95 latency, recall@5, and the speed-up over a naive
scan that scores every person born the same year with rapidfuzz.
"""

import datetime
import random
import statistics
import time
import unicodedata
from typing import Any

from bench.common import Timer, emit, parse_args, peak_rss_mb, setup_database

SEED = 7
QUERIES = 200
BASELINE_QUERIES = 25
TARGET_P95_MS = 150.0
TARGET_RECALL_AT_5 = 0.95

# Spellings of one sound that transliteration produces, both ways round.
_TRANSLITERATIONS = (
    ("Mohamed", "Muhammad"),
    ("Mohammed", "Mohamed"),
    ("Muhammad", "Mohammed"),
    ("Mohammad", "Muhammad"),
    ("Youssef", "Yusuf"),
    ("Yousif", "Yusuf"),
    ("Youssouf", "Yusuf"),
    ("Ahmed", "Ahmad"),
    ("Ahmad", "Ahmed"),
    ("Hussein", "Husain"),
    ("Mustapha", "Mustafa"),
    ("ou", "u"),
    ("ph", "f"),
    ("kh", "k"),
    ("ch", "sh"),
    ("sh", "ch"),
    ("ss", "s"),
    ("ie", "i"),
    ("ee", "i"),
    ("y", "i"),
    ("i", "y"),
    ("c", "k"),
    ("k", "c"),
    ("v", "w"),
    ("Al-", "El "),
    ("El ", "Al-"),
    ("dj", "j"),
    ("j", "dj"),
    ("aa", "a"),
    ("oo", "u"),
)
_VOWELS = "aeiou"
_KEYBOARD = {
    "q": "wa",
    "w": "qes",
    "e": "wrd",
    "r": "etf",
    "t": "ryg",
    "y": "tuh",
    "u": "yij",
    "i": "uok",
    "o": "ipl",
    "p": "ol",
    "a": "qsz",
    "s": "adwx",
    "d": "sfe",
    "f": "dgr",
    "g": "fht",
    "h": "gjy",
    "j": "hku",
    "k": "jli",
    "l": "ko",
    "z": "xa",
    "x": "zcs",
    "c": "xvd",
    "v": "cbf",
    "b": "vng",
    "n": "bmh",
    "m": "nj",
}


def strip_accents(text: str) -> str:
    """Return the text without diacritics, as typed on a keyboard without them."""
    decomposed = unicodedata.normalize("NFKD", text.replace("Đ", "D").replace("đ", "d"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _letter_positions(word: str) -> list[int]:
    return [i for i, ch in enumerate(word) if ch.isalpha()]


def _vowel_change(rng: random.Random, word: str) -> str:
    spots = [i for i, ch in enumerate(word) if ch.lower() in _VOWELS and i > 0]
    if not spots:
        return word
    i = rng.choice(spots)
    other = rng.choice([v for v in _VOWELS if v != word[i].lower()])
    return word[:i] + other + word[i + 1 :]


def _transliterate(rng: random.Random, word: str) -> str:
    options = [(a, b) for a, b in _TRANSLITERATIONS if a in word]
    if not options:
        return _vowel_change(rng, word)
    a, b = rng.choice(options)
    return word.replace(a, b, 1)


def _drop_letter(rng: random.Random, word: str) -> str:
    spots = _letter_positions(word)[1:]
    if len(word) < 4 or not spots:
        return word
    i = rng.choice(spots)
    return word[:i] + word[i + 1 :]


def _double_letter(rng: random.Random, word: str) -> str:
    spots = _letter_positions(word)[1:]
    if not spots:
        return word
    i = rng.choice(spots)
    return word[: i + 1] + word[i] + word[i + 1 :]


def _keyboard_typo(rng: random.Random, word: str) -> str:
    spots = [i for i in _letter_positions(word)[1:] if word[i].lower() in _KEYBOARD]
    if not spots:
        return word
    i = rng.choice(spots)
    return word[:i] + rng.choice(_KEYBOARD[word[i].lower()]) + word[i + 1 :]


_WORD_ERRORS = (_vowel_change, _transliterate, _drop_letter, _double_letter, _keyboard_typo)


def misspell(rng: random.Random, given: str, family: str) -> str:
    """Return the name as an officer might type it: one or two realistic mistakes."""
    if rng.random() < 0.5:
        given, family = strip_accents(given), strip_accents(family)
    roll = rng.random()
    if roll < 0.12 and " " in family:
        # Spanish and Portuguese speakers often give only the first family name.
        family = family.split(" ")[0]
    elif roll < 0.22:
        given, family = family, given
    errors = 1 if rng.random() < 0.7 else 2
    if rng.random() < 0.1:
        errors = 0
    words = f"{given} {family}".split()
    for _ in range(errors):
        # Long words are where mistakes happen; two-letter particles are left alone.
        spots = [i for i, w in enumerate(words) if len(w) >= 3] or list(range(len(words)))
        i = rng.choice(spots)
        words[i] = rng.choice(_WORD_ERRORS)(rng, words[i])
    return " ".join(words)


def typed_birth_date(rng: random.Random, born: datetime.date) -> datetime.date:
    """Return the date as typed: mostly right, sometimes day and month swapped or days off."""
    if rng.random() >= 0.15:
        return born
    if rng.random() < 0.5 and born.day <= 12 and born.day != born.month:
        return born.replace(month=born.day, day=born.month)
    return born + datetime.timedelta(days=rng.choice((-5, -3, -2, -1, 1, 2, 3, 4)))


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def main() -> None:
    args = parse_args(50_000, __doc__ or "")
    setup_database("person_search")

    from django.contrib.auth.models import User
    from django.db import connection
    from django.db.models import Max, Min
    from rapidfuzz import fuzz

    from retorno.accounts.models import Membership, Organisation
    from retorno.accounts.roles import Role
    from retorno.core.audit import command_actor
    from retorno.demo.generate import demo_load
    from retorno.registry.models import Person, PersonNameKey
    from retorno.registry.names import name_keys, normalise
    from retorno.registry.selectors import person_search

    # demo_load ends with ANALYZE, as every bulk load should, so plans match a live registry.
    with Timer() as load:
        demo_load(seed=SEED, people=args.size)

    # An administrator of every organisation sees the whole registry: the hardest case.
    user, _ = User.objects.get_or_create(username="bench-admin")
    for organisation in Organisation.objects.all():
        Membership.objects.get_or_create(
            user=user, organisation=organisation, role=Role.ADMINISTRATOR
        )
    actor = command_actor(user)

    rng = random.Random(SEED)
    bounds = Person.objects.aggregate(low=Min("id"), high=Max("id"))
    ids = rng.sample(range(bounds["low"], bounds["high"] + 1), QUERIES)
    people = {p.pk: p for p in Person.objects.filter(pk__in=ids)}
    queries: list[tuple[int, str, datetime.date | None]] = []
    for pk in ids:
        person = people[pk]
        born = person.date_of_birth
        queries.append(
            (
                pk,
                misspell(rng, person.given_name, person.family_name),
                typed_birth_date(rng, born) if born else None,
            )
        )

    for _, name, born in queries[:5]:  # warm the caches, as a desk open all day would be
        person_search(actor=actor, name=name, date_of_birth=born, audit=False)
    latencies: list[float] = []
    hits = 0
    misses: list[str] = []
    for pk, name, born in queries:
        started = time.perf_counter()
        found = person_search(actor=actor, name=name, date_of_birth=born, audit=False)
        latencies.append((time.perf_counter() - started) * 1000)
        if any(candidate.person.pk == pk for candidate in found):
            hits += 1
        elif len(misses) < 8:
            truth = people[pk]
            misses.append(f"{name!r} {born} <- {truth.full_name} {truth.date_of_birth}")

    # How many rows the phonetic-key look-up touches before its cap, per query.
    key_rows: list[int] = []
    for _, name, born in queries:
        keys = name_keys(name)
        qs = PersonNameKey.objects.filter(key__in=keys)
        if born:
            qs = qs.filter(birth_year__gte=born.year - 1, birth_year__lte=born.year + 1)
        key_rows.append(qs.count() if keys else 0)

    # Baseline: what a desk without keys would do, score everybody born that year.
    baseline_ms: list[float] = []
    baseline_hits = 0
    for pk, name, born in queries[:BASELINE_QUERIES]:
        started = time.perf_counter()
        typed = normalise(name)
        rows = Person.objects.filter(date_of_birth__year=born.year if born else 1900).values_list(
            "id", "given_name", "family_name"
        )
        scored = sorted(
            ((fuzz.token_sort_ratio(typed, normalise(f"{g} {f}")), i) for i, g, f in rows),
            reverse=True,
        )[:5]
        baseline_ms.append((time.perf_counter() - started) * 1000)
        baseline_hits += any(i == pk for _, i in scored)

    p50, p95 = statistics.median(latencies), _percentile(latencies, 0.95)
    recall = hits / len(queries)
    baseline_p95 = _percentile(baseline_ms, 0.95)
    figures: dict[str, Any] = {
        "database": connection.vendor,
        "queries": len(queries),
        "p50_ms": round(p50, 2),
        "p95_ms": round(p95, 2),
        "max_ms": round(max(latencies), 2),
        "recall_at_5": round(recall, 3),
        "targets": {"p95_ms": TARGET_P95_MS, "recall_at_5": TARGET_RECALL_AT_5},
        "targets_met": p95 < TARGET_P95_MS and recall >= TARGET_RECALL_AT_5,
        "key_rows_p50": statistics.median(key_rows),
        "key_rows_p95": _percentile([float(n) for n in key_rows], 0.95),
        "baseline_queries": len(baseline_ms),
        "baseline_p50_ms": round(statistics.median(baseline_ms), 2),
        "baseline_recall_at_5": round(baseline_hits / max(1, len(baseline_ms)), 3),
        "load_seconds": round(load.seconds, 1),
        "peak_rss_mb": peak_rss_mb(),
        "missed_examples": misses,
    }
    emit(
        name="person_search",
        size=args.size,
        seconds=sum(latencies) / 1000,
        baseline=round(baseline_p95, 2),
        ratio=round(baseline_p95 / p95, 1) if p95 else None,
        **figures,
    )


if __name__ == "__main__":
    main()
