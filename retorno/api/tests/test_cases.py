"""Cases, referrals, plans and programmes through the API, from opening a case to its deliveries."""

import datetime
import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile

from retorno.accounts.models import Organisation
from retorno.accounts.roles import Role
from retorno.api.tests.conftest import API, ApiClient
from retorno.cases import choices as cc
from retorno.cases.models import Case, CaseNote, Delivery, Programme, Referral
from retorno.cases.tests import conftest as case_fixtures
from retorno.cases.tests.conftest import PDF_BYTES
from retorno.core.audit import Actor
from retorno.core.models import AuditAction, AuditEvent
from retorno.registry.models import Person

pytestmark = pytest.mark.django_db

# The case builders, shared with the case tests (media_root keeps uploads in a temporary folder).
media_root = case_fixtures.media_root
open_case = case_fixtures.open_case
person = case_fixtures.person
programme = case_fixtures.programme
walk_to = case_fixtures.walk_to


@pytest.fixture
def api_of(users: dict[str, User], client_for: Callable[..., ApiClient]) -> Callable[..., Any]:
    """An API client for the user holding a role in host_org."""

    def make(role: str, **headers: str) -> ApiClient:
        return client_for(users[role], **headers)

    return make


def _errors(response: Any) -> list[str]:
    return [message for messages in response.json()["errors"].values() for message in messages]


def _put(api: ApiClient, path: str, body: dict[str, Any]) -> Any:
    return api.client.put(
        API + path, json.dumps(body, default=str), content_type="application/json"
    )


def _move(api: ApiClient, case_id: int, target: str, **extra: Any) -> Any:
    version = Case.objects.get(pk=case_id).version
    return api.post(f"/cases/{case_id}/transition", {"target": target, "version": version, **extra})


# --- The workflow -----------------------------------------------------------------------


def test_a_case_is_opened_and_moved_until_a_check_refuses_it(
    api_of: Callable[..., ApiClient],
    users: dict[str, User],
    person: Person,
    programme: Programme,
) -> None:
    carla = users[Role.CASEWORKER]
    api = api_of(Role.CASEWORKER)
    created = api.post(
        "/cases",
        {
            "person": person.pk,
            "programme": programme.pk,
            "assigned_to": carla.pk,
            "host_country": "be",
            "origin_country": "MD",
            "language": "fr",
            "removal_order": True,
        },
    )
    assert created.status_code == 201, created.content
    body = created.json()
    case_id = body["id"]
    assert body["stage"] == "intake" and body["stage_label"] == "intake"
    assert (body["host_country"], body["origin_country"]) == ("BE", "MD")
    assert body["removal_order"] is True and body["counts_as_voluntary"] is False
    assert body["assigned_to"] == carla.pk and body["programme_name"] == "AVRR Moldova"
    assert body["person_name"] == person.full_name
    assert {t["target"] for t in body["allowed_transitions"]} == {"counselling", "withdrawn"}
    assert body["forward_target"] == "counselling" and body["forward_problems"] == []

    moved = _move(api, case_id, "counselling")
    assert moved.status_code == 200, moved.content
    body = moved.json()
    assert body["stage"] == "counselling"
    assert body["forward_problems"] == ["Record at least one counselling session."]
    decision = next(t for t in body["allowed_transitions"] if t["target"] == "decision")
    assert decision["problems"] == ["Record at least one counselling session."]

    # The check refuses the move, with the reason in words.
    refused = _move(api, case_id, "decision")
    assert refused.status_code == 422
    assert refused.json()["detail"] == "The data is not valid."
    assert _errors(refused) == ["Record at least one counselling session."]

    session = api.post(
        f"/cases/{case_id}/counselling",
        {"held_on": datetime.date.today(), "topics": ["rights"], "language": "Romanian"},
    )
    assert session.status_code == 201, session.content
    assert session.json()["topics"] == ["rights"]
    refused = _move(api, case_id, "decision")
    assert _errors(refused) == ["Counselling must cover rights, options and consequences."]
    assert Case.objects.get(pk=case_id).stage == cc.Stage.COUNSELLING

    api.post(
        f"/cases/{case_id}/counselling",
        {
            "held_on": datetime.date.today(),
            "topics": ["options", "consequences"],
            "language": "Romanian",
            "interpreter": "I. Rusu",
        },
    )
    assert _move(api, case_id, "decision").json()["stage"] == "decision"

    # Closing early needs a reason and is for supervisors only.
    assert _move(api, case_id, "closed", reason="x", outcome="did_not_travel").status_code == 403
    # An undefined move is invalid data.
    assert _move(api, case_id, "monitoring").status_code == 422

    timeline = api.get(f"/cases/{case_id}/timeline").json()
    transitions = [(e["from_stage"], e["to_stage"]) for e in timeline if e["kind"] == "transition"]
    assert transitions == [("counselling", "decision"), ("intake", "counselling")]
    assert timeline[-1]["kind"] == "opened" and timeline[-1]["actor_name"] == "carla"

    listed = api.get("/cases", {"assigned": "me", "stage": "decision"}).json()
    assert [c["id"] for c in listed["items"]] == [case_id] and listed["count"] == 1
    assert api.get("/cases", {"removal_order": "false"}).json()["items"] == []
    assert api.get("/cases", {"assigned": "none"}).json()["items"] == []
    assert api.get("/cases", {"q": person.family_name}).json()["count"] == 1
    assert api.get("/cases", {"assigned": "somebody"}).status_code == 422


def test_a_refused_move_is_explained_in_french(
    api_of: Callable[..., ApiClient], open_case: Case
) -> None:
    api = api_of(Role.CASEWORKER)
    response = api.post(
        f"/cases/{open_case.pk}/transition",
        {"target": "decision", "version": open_case.version},
        language="fr",
    )
    assert response.status_code == 422
    assert response.json()["detail"] == "Les données ne sont pas valides."
    # An invalid body is answered in French too.
    response = api.post(
        f"/cases/{open_case.pk}/transition", {"target": "nowhere", "version": 1}, language="fr"
    )
    assert response.status_code == 422
    assert response.json()["detail"] == "Les données ne sont pas valides."
    assert "target" in response.json()["errors"]


def test_a_stale_edit_is_refused_with_the_current_version(
    api_of: Callable[..., ApiClient], open_case: Case
) -> None:
    api = api_of(Role.CASEWORKER)
    read = api.get(f"/cases/{open_case.pk}").json()
    version = read["version"]
    first = api.patch(
        f"/cases/{open_case.pk}",
        {"version": version, "decision_form": "recorded_statement", "luggage_kg": 23},
    )
    assert first.status_code == 200, first.content
    assert first.json()["decision_form"] == "recorded_statement"
    assert first.json()["version"] == version + 1
    second = api.patch(f"/cases/{open_case.pk}", {"version": version, "luggage_kg": 30})
    assert second.status_code == 409
    assert second.json()["current_version"] == version + 1
    assert Case.objects.get(pk=open_case.pk).luggage_kg == 23
    # Fields that cannot be empty refuse null; unknown values are invalid.
    assert api.patch(f"/cases/{open_case.pk}", {"version": 2, "language": None}).status_code == 422
    bad = api.patch(f"/cases/{open_case.pk}", {"version": 2, "origin_country": "XX"})
    assert bad.status_code == 422 and "origin_country" in bad.json()["errors"]


# --- Case records -------------------------------------------------------------------------


def test_restricted_notes_are_hidden_from_a_reintegration_officer(
    api_of: Callable[..., ApiClient], open_case: Case
) -> None:
    carla = api_of(Role.CASEWORKER)
    for text, sensitivity in (("Met the family", "normal"), ("Disclosed abuse", "restricted")):
        response = carla.post(
            f"/cases/{open_case.pk}/notes", {"text": text, "sensitivity": sensitivity}
        )
        assert response.status_code == 201, response.content
    texts = {
        role: {n["text"] for n in api_of(role).get(f"/cases/{open_case.pk}/notes").json()}
        for role in (Role.CASEWORKER, Role.SUPERVISOR, Role.REINTEGRATION_OFFICER)
    }
    assert texts[Role.CASEWORKER] == texts[Role.SUPERVISOR] == {"Met the family", "Disclosed abuse"}
    assert texts[Role.REINTEGRATION_OFFICER] == {"Met the family"}
    assert CaseNote.objects.filter(case=open_case).count() == 2
    # The timeline says a note was written without its text.
    timeline = api_of(Role.REINTEGRATION_OFFICER).get(f"/cases/{open_case.pk}/timeline").json()
    notes = [e for e in timeline if e["kind"] == "note"]
    assert len(notes) == 2 and all("Disclosed" not in e["reason"] for e in notes)


def test_risks_are_signed_off_by_supervisors_only(
    api_of: Callable[..., ApiClient], open_case: Case
) -> None:
    carla, sam = api_of(Role.CASEWORKER), api_of(Role.SUPERVISOR)
    risk = carla.post(
        f"/cases/{open_case.pk}/risks", {"description": "Threats from creditors", "level": "high"}
    )
    assert risk.status_code == 201 and risk.json()["status"] == "open"
    risk_id = risk.json()["id"]
    assert carla.post(f"/risks/{risk_id}/sign-off", {"reason": "ok"}).status_code == 403
    assert sam.post(f"/risks/{risk_id}/sign-off", {"reason": " "}).status_code == 422
    signed = sam.post(f"/risks/{risk_id}/sign-off", {"reason": "Protection arranged by UNHCR"})
    assert signed.status_code == 200
    assert signed.json()["status"] == "signed_off"
    assert signed.json()["sign_off_reason"] == "Protection arranged by UNHCR"
    other = carla.post(f"/cases/{open_case.pk}/risks", {"description": "Flood", "level": "low"})
    mitigated = carla.post(
        f"/risks/{other.json()['id']}/mitigate", {"mitigation": "Housing elsewhere"}
    )
    assert mitigated.json()["status"] == "mitigated"
    assert [r["status"] for r in carla.get(f"/cases/{open_case.pk}/risks").json()] == [
        "signed_off",
        "mitigated",
    ]


def test_tasks_and_documents(
    api_of: Callable[..., ApiClient],
    open_case: Case,
    users: dict[str, User],
    omar: User,
    client_for: Callable[..., ApiClient],
) -> None:
    carla = api_of(Role.CASEWORKER)
    task = carla.post(
        f"/cases/{open_case.pk}/tasks",
        {"title": "Call the embassy", "due_on": datetime.date.today() - datetime.timedelta(1)},
    )
    assert task.status_code == 201, task.content
    assert task.json()["assigned_to"] == users[Role.CASEWORKER].pk
    assert task.json()["is_overdue"] is True
    board = carla.get("/me/cases-dashboard").json()
    assert [t["title"] for t in board["overdue"]] == ["Call the embassy"]
    assert board["open_total"] == 1
    assert {"stage": "intake", "stage_label": "intake", "count": 1} in board["by_stage"]
    done = carla.post(f"/tasks/{task.json()['id']}/complete", {})
    assert done.status_code == 200 and done.json()["done_at"] is not None
    assert carla.post(f"/tasks/{task.json()['id']}/complete", {}).status_code == 409

    upload = carla.client.post(
        f"{API}/cases/{open_case.pk}/documents",
        {"kind": "signed_decision", "file": SimpleUploadedFile("decision.pdf", PDF_BYTES)},
    )
    assert upload.status_code == 201, upload.content
    document = upload.json()
    assert (document["file_name"], document["size"]) == ("decision.pdf", len(PDF_BYTES))
    fake = carla.client.post(
        f"{API}/cases/{open_case.pk}/documents",
        {"kind": "medical", "file": SimpleUploadedFile("x.pdf", b"MZ not a pdf")},
    )
    assert fake.status_code == 422 and "file" in fake.json()["errors"]
    assert [d["id"] for d in carla.get(f"/cases/{open_case.pk}/documents").json()] == [
        document["id"]
    ]
    download = carla.client.get(f"{API}/documents/{document['id']}/download")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF_BYTES  # type: ignore[attr-defined]
    assert download["Content-Type"] == "application/pdf"
    assert AuditEvent.objects.filter(
        action=AuditAction.VIEW, entity_type="cases.casedocument", entity_id=str(document["id"])
    ).exists()
    outsider = client_for(omar)
    assert outsider.client.get(f"{API}/documents/{document['id']}/download").status_code == 404


# --- Referrals ----------------------------------------------------------------------------


def test_referral_needs_consent_unless_a_supervisor_overrides(
    api_of: Callable[..., ApiClient],
    open_case: Case,
    origin_org: Organisation,
    make_user: Callable[..., User],
    client_for: Callable[..., ApiClient],
) -> None:
    carla, sam = api_of(Role.CASEWORKER), api_of(Role.SUPERVISOR)
    body = {"to_organisation": origin_org.pk, "shared_fields": ["identity", "return"]}
    refused = carla.post(f"/cases/{open_case.pk}/referrals", body)
    assert refused.status_code == 422
    assert "has not consented to referral" in _errors(refused)[0]
    overriding = {**body, "override_reason": "Urgent medical care on arrival"}
    assert carla.post(f"/cases/{open_case.pk}/referrals", overriding).status_code == 403
    assert not Referral.objects.exists()

    created = sam.post(f"/cases/{open_case.pk}/referrals", overriding)
    assert created.status_code == 201, created.content
    referral = created.json()
    assert referral["consent_overridden"] is True
    assert referral["consent_override_reason"] == "Urgent medical care on arrival"
    assert referral["status"] == "pending" and referral["case"] == open_case.pk
    override = AuditEvent.objects.get(action=AuditAction.OVERRIDE)
    assert override.entity_type == "cases.referral" and override.entity_id == str(referral["id"])
    assert "Urgent medical care" in override.summary

    # The receiving organisation sees what is asked, and personal data only once accepted.
    olga = client_for(make_user("olga", Role.PARTNER, origin_org))
    received = olga.get("/referrals/received").json()
    assert [r["id"] for r in received["items"]] == [referral["id"]]
    seen = olga.get(f"/referrals/{referral['id']}").json()
    assert seen["role"] == "receiver" and seen["case"] is None
    assert seen["shared"] == {"reference": open_case.reference, "parts": ["identity", "return"]}
    answered = olga.post(f"/referrals/{referral['id']}/answer", {"accept": True})
    assert answered.status_code == 200, answered.content
    shared = answered.json()["shared"]
    assert shared["identity"]["given_name"] == open_case.person.given_name
    assert shared["return"]["origin_country"] == "MD"
    assert "vulnerabilities" not in shared

    sent = carla.get(f"/referrals/{referral['id']}").json()
    assert sent["role"] == "sender" and sent["status"] == "accepted" and sent["shared"] is None
    assert sam.post(f"/referrals/{referral['id']}/outcome", {"service_outcome": "received"}).json()[
        "service_outcome"
    ] == ("received")
    assert carla.post(f"/referrals/{referral['id']}/revoke", {}).json()["status"] == "revoked"
    after = olga.get(f"/referrals/{referral['id']}").json()
    assert "identity" not in after["shared"]
    # Nobody else learns of it.
    assert api_of(Role.STATISTICIAN).get(f"/referrals/{referral['id']}").status_code == 404


def test_referral_with_consent_needs_no_override(
    api_of: Callable[..., ApiClient],
    open_case: Case,
    origin_org: Organisation,
    users: dict[str, User],
) -> None:
    from retorno.registry.services import consent_record

    consent_record(
        actor=Actor(user=users[Role.CASEWORKER]),
        person=open_case.person,
        purpose="referral",
        status="given",
        channel="written",
    )
    created = api_of(Role.CASEWORKER).post(
        f"/cases/{open_case.pk}/referrals",
        {"to_organisation": origin_org.pk, "shared_fields": ["skills"], "message": "Training"},
    )
    assert created.status_code == 201, created.content
    assert created.json()["consent_overridden"] is False
    assert not AuditEvent.objects.filter(action=AuditAction.OVERRIDE).exists()


# --- Plans ----------------------------------------------------------------------------------


def _planning_case(open_case: Case, users: dict[str, User], walk: Callable[..., Case]) -> Case:
    return walk(open_case, cc.Stage.PLANNING, users)


def test_a_large_plan_is_approved_by_somebody_other_than_its_author(
    api_of: Callable[..., ApiClient],
    open_case: Case,
    users: dict[str, User],
    walk_to: Callable[..., Case],
) -> None:
    case = _planning_case(open_case, users, walk_to)
    sam = api_of(Role.SUPERVISOR)
    started = sam.post(f"/cases/{case.pk}/plan", {"summary": "A bakery in Cahul"})
    assert started.status_code == 201, started.content
    plan = started.json()
    assert plan["currency"] == "EUR" and plan["status"] == "draft"
    added = sam.post(
        f"/cases/{case.pk}/plan/items",
        {
            "version": plan["version"],
            "dimension": "economic",
            "kind": "micro_credit",
            "description": "Start-up of a bakery",
            "planned_amount": "2500",
        },
    )
    assert added.status_code == 201, added.content
    plan = added.json()
    assert plan["items"][0]["planned_amount"] == "2500.00"
    assert plan["budget"] == {
        "currency": "EUR",
        "planned": "2500.00",
        "paid": "0",
        "remaining": "2500.00",
    }
    assert plan["needs_second_person"] is True
    submitted = sam.post(f"/cases/{case.pk}/plan/submit", {"version": plan["version"]})
    assert submitted.json()["status"] == "submitted"
    version = submitted.json()["version"]

    own = sam.post(f"/cases/{case.pk}/plan/review", {"version": version, "approve": True})
    assert own.status_code == 422
    assert "somebody other than its author" in _errors(own)[0]
    carla = api_of(Role.CASEWORKER)
    assert (
        carla.post(f"/cases/{case.pk}/plan/review", {"version": version, "approve": True})
    ).status_code == 403
    supervision = sam.get("/supervision").json()
    assert [p["case"] for p in supervision["plans"]] == [case.pk]
    assert supervision["plans"][0]["total"] == "2500.00"
    assert carla.get("/supervision").status_code == 403
    alice = api_of(Role.ADMINISTRATOR)
    stale = alice.post(f"/cases/{case.pk}/plan/review", {"version": version - 1, "approve": True})
    assert stale.status_code == 409 and stale.json()["current_version"] == version
    approved = alice.post(f"/cases/{case.pk}/plan/review", {"version": version, "approve": True})
    assert approved.status_code == 200, approved.content
    assert approved.json()["status"] == "approved"
    assert approved.json()["approved_by"] == users[Role.ADMINISTRATOR].pk


def test_a_payment_in_lei_keeps_its_exchange_rate_as_an_exact_decimal(
    api_of: Callable[..., ApiClient],
    open_case: Case,
    users: dict[str, User],
    walk_to: Callable[..., Case],
) -> None:
    case = _planning_case(open_case, users, walk_to)
    carla, sam = api_of(Role.CASEWORKER), api_of(Role.SUPERVISOR)
    plan = carla.post(f"/cases/{case.pk}/plan", {}).json()
    plan = carla.post(
        f"/cases/{case.pk}/plan/items",
        {
            "version": plan["version"],
            "dimension": "social",
            "kind": "housing",
            "description": "Rent",
            "planned_amount": "600",
        },
    ).json()
    item_id = plan["items"][0]["id"]
    over = carla.post(
        f"/cases/{case.pk}/plan/items",
        {
            "version": plan["version"],
            "dimension": "social",
            "kind": "housing",
            "description": "More rent",
            "planned_amount": "1000",
        },
    )
    assert over.status_code == 422 and "ceiling" in over.json()["errors"]["planned_amount"][0]
    float_amount = carla.post(
        f"/cases/{case.pk}/plan/items",
        {
            "version": plan["version"],
            "dimension": "social",
            "kind": "training",
            "description": "Course",
            "planned_amount": 100.5,
        },
    )
    assert float_amount.status_code == 422 and "planned_amount" in float_amount.json()["errors"]
    plan = carla.post(f"/cases/{case.pk}/plan/submit", {"version": plan["version"]}).json()
    assert sam.post(
        f"/cases/{case.pk}/plan/review", {"version": plan["version"], "approve": True}
    ).json()["status"] == ("approved")

    path = f"/plan-items/{item_id}/deliveries"
    base = {"method": "cash", "delivered_on": datetime.date.today(), "currency": "MDL"}
    as_float = carla.post(path, {**base, "amount": 3000.0, "exchange_rate": 0.0512})
    assert as_float.status_code == 422
    assert set(as_float.json()["errors"]) == {"amount", "exchange_rate"}
    no_rate = carla.post(path, {**base, "amount": "3000"})
    assert no_rate.status_code == 422 and "exchange_rate" in no_rate.json()["errors"]
    paid = carla.post(path, {**base, "amount": "3000", "exchange_rate": "0.0512"})
    assert paid.status_code == 201, paid.content
    body = paid.json()
    assert (body["amount"], body["currency"]) == ("3000.00", "MDL")
    assert body["amount_in_plan_currency"] == "153.60"
    delivery = Delivery.objects.get(pk=body["id"])
    assert delivery.exchange_rate == Decimal("0.0512")
    assert isinstance(delivery.exchange_rate, Decimal)
    assert delivery.amount_in_plan_currency == Decimal("153.60")

    plan = carla.get(f"/cases/{case.pk}/plan").json()
    assert plan["budget"] == {
        "currency": "EUR",
        "planned": "600.00",
        "paid": "153.60",
        "remaining": "446.40",
    }
    assert plan["items"][0]["deliveries"][0]["exchange_rate"] == "0.05120000"
    assert carla.post(path, {**base, "amount": "10", "exchange_rate": "-1"}).status_code == 422


def test_business_plan_and_support_sessions(
    api_of: Callable[..., ApiClient], open_case: Case
) -> None:
    carla = api_of(Role.CASEWORKER)
    assert carla.get(f"/cases/{open_case.pk}/business-plan").status_code == 404
    body = {
        "activity": "Bakery",
        "currency": "MDL",
        "startup_costs": "45000.50",
        "feasibility": ["market", "skills"],
    }
    created = _put(carla, f"/cases/{open_case.pk}/business-plan", body)
    assert created.status_code == 200, created.content
    assert created.json()["startup_costs"] == "45000.50"
    version = created.json()["version"]
    changed = _put(
        carla,
        f"/cases/{open_case.pk}/business-plan",
        {**body, "version": version, "place": "Cahul"},
    )
    assert changed.json()["place"] == "Cahul"
    stale = _put(carla, f"/cases/{open_case.pk}/business-plan", {**body, "version": version})
    assert stale.status_code == 409 and stale.json()["current_version"] == version + 1
    session = carla.post(
        f"/cases/{open_case.pk}/business-plan/sessions",
        {"held_on": datetime.date.today(), "topic": "accounting", "provider": "ODIMM"},
    )
    assert session.status_code == 201, session.content
    sessions = carla.get(f"/cases/{open_case.pk}/business-plan").json()["sessions"]
    assert [s["topic"] for s in sessions] == ["accounting"]


# --- Programmes and the directory --------------------------------------------------------


def test_programmes_with_ceilings_and_eligibility(
    api_of: Callable[..., ApiClient], programme: Programme, person: Person
) -> None:
    pablo = api_of(Role.PROGRAMME_MANAGER)
    read = pablo.get(f"/programmes/{programme.pk}").json()
    assert read["budget"] == "100000.00"
    ceilings = {a["kind"]: a["ceiling"] for a in read["assistance"]}
    assert ceilings["housing"] == "1500.00" and ceilings["socio_cultural"] is None
    assert read["figures"]["available"] == "100000.00"

    created = pablo.post(
        "/programmes",
        {
            "name": "Return of qualified nationals",
            "kind": "qualified_permanent",
            "currency": "eur",
            "budget": "250000",
            "eligible_nationalities": ["md"],
            "min_age": 18,
            "max_age": 40,
            "assistance": {"training": "800.50", "transport": None},
        },
    )
    assert created.status_code == 201, created.content
    new = created.json()
    assert new["eligible_nationalities"] == ["MD"] and new["currency"] == "EUR"
    assert {a["kind"]: a["ceiling"] for a in new["assistance"]} == {
        "training": "800.50",
        "transport": None,
    }
    changed = pablo.patch(
        f"/programmes/{new['id']}", {"version": new["version"], "assistance": {"housing": "10"}}
    )
    assert changed.status_code == 200, changed.content
    assert [a["kind"] for a in changed.json()["assistance"]] == ["housing"]
    stale = pablo.patch(f"/programmes/{new['id']}", {"version": new["version"], "name": "X"})
    assert stale.status_code == 409
    assert pablo.post("/programmes", {"name": "X", "kind": "avrr", "budget": 10.5}).status_code == (
        422
    )
    carla = api_of(Role.CASEWORKER)
    assert carla.post("/programmes", {"name": "X", "kind": "avrr"}).status_code == 403

    check = carla.get(f"/programmes/{new['id']}/eligibility", {"person": person.pk}).json()
    assert check["eligible"] is True
    assert {r["rule"]: r["passed"] for r in check["rules"]} == {"nationality": True, "age": True}
    assert "Aged" in next(r["explanation"] for r in check["rules"] if r["rule"] == "age")
    Person.objects.filter(pk=person.pk).update(date_of_birth=datetime.date(1950, 1, 1))
    check = carla.get(f"/programmes/{new['id']}/eligibility", {"person": person.pk}).json()
    assert check["eligible"] is False


def test_partner_directory_and_community_projects(
    api_of: Callable[..., ApiClient], programme: Programme
) -> None:
    sam = api_of(Role.SUPERVISOR)
    for name, country, kind in (
        ("Cahul Training Centre", "md", "training"),
        ("Chisinau Clinic", "MD", "health"),
        ("Liège Legal Aid", "BE", "legal"),
    ):
        response = sam.post("/partners", {"name": name, "country": country, "kind": kind})
        assert response.status_code == 201, response.content
    carla = api_of(Role.CASEWORKER)
    names = [p["name"] for p in carla.get("/partners", {"country": "md"}).json()["items"]]
    assert names == ["Cahul Training Centre", "Chisinau Clinic"]
    health = carla.get("/partners", {"kind": "health"}).json()["items"]
    assert [p["name"] for p in health] == ["Chisinau Clinic"]
    assert carla.post("/partners", {"name": "X", "country": "MD", "kind": "ngo"}).status_code == 403
    clinic = health[0]
    changed = sam.patch(
        f"/partners/{clinic['id']}", {"phone": "+373 22 000 000", "version": clinic["version"]}
    )
    assert changed.status_code == 200 and changed.json()["phone"] == "+373 22 000 000"
    # A second change made on the version read before the first is refused, not merged.
    stale = sam.patch(f"/partners/{clinic['id']}", {"phone": "0", "version": clinic["version"]})
    assert stale.status_code == 409
    assert carla.get("/partners", {"kind": "health"}).json()["items"][0]["phone"] != "0"

    pablo = api_of(Role.PROGRAMME_MANAGER)
    project = pablo.post(
        "/community-projects",
        {
            "name": "Water supply in Cahul",
            "country": "MD",
            "region": "md-ca",
            "budget": "12000.75",
            "programme": programme.pk,
        },
    )
    assert project.status_code == 201, project.content
    assert project.json()["budget"] == "12000.75" and project.json()["region"] == "MD-CA"
    updated = pablo.patch(
        f"/community-projects/{project.json()['id']}",
        {"version": project.json()["version"], "returnees_served": 14},
    )
    assert updated.status_code == 200 and updated.json()["returnees_served"] == 14
    listed = carla.get("/community-projects").json()
    assert [p["name"] for p in listed["items"]] == ["Water supply in Cahul"]


def test_openapi_lists_the_case_endpoints() -> None:
    from django.test import Client

    schema = Client().get(f"{API}/openapi.json").json()
    paths = set(schema["paths"])
    expected = {
        "/cases",
        "/cases/{case_id}",
        "/cases/{case_id}/transition",
        "/cases/{case_id}/timeline",
        "/cases/{case_id}/counselling",
        "/cases/{case_id}/risks",
        "/risks/{risk_id}/sign-off",
        "/risks/{risk_id}/mitigate",
        "/cases/{case_id}/notes",
        "/cases/{case_id}/tasks",
        "/tasks/{task_id}/complete",
        "/cases/{case_id}/documents",
        "/documents/{document_id}/download",
        "/cases/{case_id}/referrals",
        "/referrals/received",
        "/referrals/{referral_id}",
        "/referrals/{referral_id}/answer",
        "/referrals/{referral_id}/revoke",
        "/referrals/{referral_id}/outcome",
        "/cases/{case_id}/plan",
        "/cases/{case_id}/plan/items",
        "/plan-items/{item_id}",
        "/cases/{case_id}/plan/submit",
        "/cases/{case_id}/plan/review",
        "/plan-items/{item_id}/deliveries",
        "/cases/{case_id}/business-plan",
        "/cases/{case_id}/business-plan/sessions",
        "/programmes",
        "/programmes/{programme_id}",
        "/programmes/{programme_id}/eligibility",
        "/partners",
        "/partners/{partner_id}",
        "/community-projects",
        "/community-projects/{project_id}",
        "/me/cases-dashboard",
        "/supervision",
    }
    assert {API + path for path in expected} <= paths
    # Amounts are documented as strings, never numbers.
    delivery = schema["components"]["schemas"]["DeliveryIn"]["properties"]
    amount_types = {option.get("type") for option in delivery["amount"]["anyOf"]}
    assert "number" not in amount_types and "string" in amount_types


def test_a_programmes_partners_are_set_through_the_api_and_audited(
    api_of: Callable[..., ApiClient], programme: Programme, host_org: Organisation
) -> None:
    from retorno.cases.models import Partner

    clinic = Partner.objects.create(
        organisation=host_org, name="Clinic", kind="health", country="MD"
    )
    bank = Partner.objects.create(
        organisation=host_org, name="MicroBank", kind="microfinance", country="MD"
    )
    pablo = api_of(Role.PROGRAMME_MANAGER)
    version = pablo.get(f"/programmes/{programme.pk}").json()["version"]

    changed = pablo.patch(
        f"/programmes/{programme.pk}", {"version": version, "partners": [clinic.pk, bank.pk]}
    )

    assert changed.status_code == 200, changed.content
    assert sorted(changed.json()["partners"]) == sorted([clinic.pk, bank.pk])
    event = AuditEvent.objects.filter(entity_type="cases.programme").latest("id")
    assert event.after is not None and event.before is not None
    assert event.after["partners"] == sorted([clinic.pk, bank.pk])
    assert event.before["partners"] == []
    unknown = pablo.patch(
        f"/programmes/{programme.pk}", {"version": version + 1, "partners": [999_999]}
    )
    assert unknown.status_code == 422
    assert sorted(programme.partners.values_list("pk", flat=True)) == sorted([clinic.pk, bank.pk])
