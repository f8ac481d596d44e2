"""Builders for case tests: a person, a programme and a case at any stage."""

import datetime
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile

from retorno.accounts.models import Organisation
from retorno.cases import choices as c
from retorno.cases import services
from retorno.cases.models import Case, Programme, ProgrammeAssistance
from retorno.core.audit import Actor
from retorno.registry.models import Person
from retorno.registry.tests.factories import make_person

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Any) -> Any:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def person(host_org: Organisation) -> Person:
    return make_person(host_org, nationalities=["MD"])


@pytest.fixture
def programme(host_org: Organisation) -> Programme:
    programme = Programme.objects.create(
        organisation=host_org,
        name="AVRR Moldova",
        kind=c.ProgrammeKind.AVRR,
        currency="EUR",
        budget=Decimal("100000"),
        approval_threshold=Decimal("1000"),
    )
    for kind, ceiling in (
        (c.AssistanceKind.HOUSING, Decimal("1500")),
        (c.AssistanceKind.MICRO_CREDIT, Decimal("3000")),
        (c.AssistanceKind.SOCIO_CULTURAL, None),
        (c.AssistanceKind.TRAINING, Decimal("800")),
    ):
        ProgrammeAssistance.objects.create(programme=programme, kind=kind, ceiling=ceiling)
    return programme


@pytest.fixture
def open_case(
    users: dict[str, User], person: Person, programme: Programme, host_org: Organisation
) -> Case:
    carla = users["caseworker"]
    return services.case_open(
        actor=Actor(user=carla),
        organisation_id=host_org.pk,
        person=person,
        assigned_to=carla,
        programme=programme,
        host_country="BE",
        origin_country="MD",
    )


def advance(case: Case, user: User, target: str, **kwargs: Any) -> Case:
    case.refresh_from_db()
    return services.case_transition(
        actor=Actor(user=user), case=case, target=target, version=case.version, **kwargs
    )


def update(case: Case, user: User, **fields: Any) -> Case:
    case.refresh_from_db()
    return services.case_update(actor=Actor(user=user), case=case, version=case.version, **fields)


@pytest.fixture
def walk_to() -> Callable[..., Case]:
    """Bring a case to the given stage the way a caseworker would, meeting every check."""

    def walk(case: Case, stage: str, users: dict[str, User]) -> Case:
        carla = users["caseworker"]
        actor = Actor(user=carla)
        steps = [
            c.Stage.COUNSELLING,
            c.Stage.DECISION,
            c.Stage.SCREENING,
            c.Stage.PRE_DEPARTURE,
            c.Stage.DEPARTED,
            c.Stage.ARRIVED,
            c.Stage.PLANNING,
        ]
        for target in steps:
            if case.stage == stage:
                break
            if target == c.Stage.DECISION:
                services.counselling_add(
                    actor=actor,
                    case=case,
                    held_on=datetime.date.today(),
                    topics=["rights", "options", "consequences"],
                    language="Romanian",
                    interpreter="I. Rusu",
                )
            if target == c.Stage.SCREENING:
                services.document_upload(
                    actor=actor,
                    case=case,
                    kind=c.DocumentKind.SIGNED_DECISION,
                    uploaded_file=SimpleUploadedFile("decision.pdf", PDF_BYTES),
                )
                case = update(
                    case, carla, decision_form="signed_form", decision_on=datetime.date.today()
                )
            if target == c.Stage.PRE_DEPARTURE:
                case = update(case, carla, screened_on=datetime.date.today())
            if target == c.Stage.DEPARTED:
                case = update(
                    case,
                    carla,
                    travel_document_ready=True,
                    fit_to_travel=True,
                    itinerary="BRU-KIV 12:40",
                    departure_date=datetime.date.today(),
                    information_pack=True,
                )
            if target == c.Stage.ARRIVED:
                case = update(case, carla, arrived_on=datetime.date.today(), met_on_arrival=True)
            case = advance(case, carla, target)
        return case

    return walk
