"""The case pages, driven through the test client as caseworkers and supervisors use them."""

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from retorno.accounts.models import Organisation
from retorno.cases import choices as c
from retorno.cases import services
from retorno.cases.models import Case, CaseDocument, CaseNote, CaseTask, Programme
from retorno.cases.tests.conftest import PDF_BYTES, advance, update
from retorno.core.audit import Actor
from retorno.core.models import AuditAction, AuditEvent
from retorno.registry.models import Person
from retorno.registry.tests.factories import make_person

pytestmark = pytest.mark.django_db


def client_for(user: User, language: str = "en") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


def detail_url(case: Case) -> str:
    return reverse("cases:detail", args=[case.pk])


def text(response: Any) -> str:
    return response.content.decode()


# Dashboards and the list -----------------------------------------------------------------


def test_dashboard_shows_my_cases_by_stage(carla: User, open_case: Case) -> None:
    response = client_for(carla).get(reverse("cases:dashboard"))
    assert response.status_code == 200
    body = text(response)
    assert "1 open case assigned to you." in body
    assert f"{reverse('cases:list')}?assigned=me&amp;stage=intake" in body
    assert reverse("cases:list") in body


def test_dashboard_lists_overdue_and_upcoming_tasks(carla: User, open_case: Case) -> None:
    actor = Actor(user=carla)
    today = datetime.date.today()
    services.task_add(
        actor=actor, case=open_case, title="Call the embassy", due_on=today - datetime.timedelta(3)
    )
    services.task_add(
        actor=actor, case=open_case, title="Book the flight", due_on=today + datetime.timedelta(10)
    )
    services.task_add(
        actor=actor, case=open_case, title="Far away", due_on=today + datetime.timedelta(60)
    )
    body = text(client_for(carla).get(reverse("cases:dashboard")))
    overdue, upcoming = body.split('id="upcoming"')
    assert "Call the embassy" in overdue and "Book the flight" not in overdue
    assert "Book the flight" in upcoming and "Far away" not in upcoming
    assert open_case.reference in upcoming


def test_list_shows_my_cases_and_filters(
    carla: User, open_case: Case, users: dict[str, User], host_org: Organisation
) -> None:
    other = services.case_open(
        actor=Actor(user=carla),
        organisation_id=host_org.pk,
        person=make_person(host_org, given_name="Ion", family_name="Rusu"),
        host_country="BE",
        origin_country="MD",
    )
    client = client_for(carla)
    body = text(client.get(reverse("cases:list")))
    assert open_case.reference in body and other.reference in body
    assert "KAMARA" in body and "2 cases" in body
    mine = text(client.get(reverse("cases:list"), {"assigned": "me"}))
    assert open_case.reference in mine and other.reference not in mine
    nobody = text(client.get(reverse("cases:list"), {"assigned": "none"}))
    assert other.reference in nobody and open_case.reference not in nobody
    by_name = text(client.get(reverse("cases:list"), {"q": "Rusu"}))
    assert other.reference in by_name and open_case.reference not in by_name
    by_reference = text(client.get(reverse("cases:list"), {"q": open_case.reference}))
    assert open_case.reference in by_reference and other.reference not in by_reference


def test_list_hides_closed_cases_unless_asked(
    carla: User, open_case: Case, users: dict[str, User]
) -> None:
    advance(open_case, carla, c.Stage.WITHDRAWN, reason="Found work here")
    client = client_for(carla)
    assert open_case.reference not in text(client.get(reverse("cases:list")))
    body = text(client.get(reverse("cases:list"), {"include_closed": "1"}))
    assert open_case.reference in body and 'stage-withdrawn">Withdrawn' in body


def test_list_query_count_does_not_depend_on_page_size(
    carla: User, host_org: Organisation, programme: Programme
) -> None:
    for i in range(30):
        services.case_open(
            actor=Actor(user=carla),
            organisation_id=host_org.pk,
            person=make_person(host_org, given_name=f"Person{i}"),
            assigned_to=carla,
            programme=programme,
            host_country="BE",
            origin_country="MD",
            removal_order=i % 2 == 0,
        )
    client = client_for(carla)
    counts = []
    for size in (25, 200):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("cases:list"), {"size": size})
        assert response.status_code == 200
        counts.append(len(queries))
    assert text(response).count("Person") >= 30
    assert counts[0] == counts[1]


def test_removal_order_is_labelled_in_the_list_and_on_the_page(
    carla: User, open_case: Case, host_org: Organisation
) -> None:
    label = '<span class="badge removal-order"'
    client = client_for(carla)
    assert label not in text(client.get(reverse("cases:list")))
    assert label not in text(client.get(detail_url(open_case)))
    update(open_case, carla, removal_order=True)
    listing = text(client.get(reverse("cases:list")))
    assert label in listing and "Removal order</span>" in listing
    page = text(client.get(detail_url(open_case)))
    assert label in page and "Removal order</span>" in page
    filtered = text(client.get(reverse("cases:list"), {"removal_order": "no"}))
    assert open_case.reference not in filtered


# Opening a case ------------------------------------------------------------------------------


def test_open_a_case_for_a_person(
    carla: User, person: Person, programme: Programme, host_org: Organisation
) -> None:
    client = client_for(carla)
    url = f"{reverse('cases:open')}?person={person.pk}"
    form = text(client.get(url))
    assert "Open a case for Amina Kamara" in form
    assert programme.name in form and 'value="MD" selected' in form
    response = client.post(
        url,
        {
            "programme": programme.pk,
            "assigned_to": carla.pk,
            "host_country": "BE",
            "origin_country": "MD",
            "return_region": "MD-CU",
            "language": "fr",
            "removal_order": "on",
        },
    )
    case = Case.objects.get(person=person)
    assert response.status_code == 302 and response["Location"] == detail_url(case)
    assert (case.programme, case.assigned_to, case.language) == (programme, carla, "fr")
    assert case.removal_order and case.return_region == "MD-CU"
    assert case.stage == c.Stage.INTAKE


def test_open_a_case_refuses_a_region_of_another_country(
    carla: User, person: Person, programme: Programme
) -> None:
    response = client_for(carla).post(
        f"{reverse('cases:open')}?person={person.pk}",
        {"host_country": "BE", "origin_country": "MD", "return_region": "FR-75", "language": "en"},
    )
    assert response.status_code == 200
    assert "Not a region of the country of return" in text(response)
    assert not Case.objects.exists()


def test_open_a_case_is_not_for_other_organisations(omar: User, person: Person) -> None:
    response = client_for(omar).get(f"{reverse('cases:open')}?person={person.pk}")
    assert response.status_code == 404


# The case page and its transitions -----------------------------------------------------------


def test_case_page_shows_the_header_checklist_and_links(carla: User, open_case: Case) -> None:
    body = text(client_for(carla).get(detail_url(open_case)))
    assert open_case.reference in body
    assert reverse("registry:person_detail", args=[open_case.person_id]) in body
    assert "AVRR Moldova" in body and "carla" in body and "English" in body
    assert "Start counselling" in body
    assert "Nothing needs to be completed first." in body
    assert "Case opened" in body  # the timeline


def test_checklist_ticks_and_unticks(
    carla: User, open_case: Case, users: dict[str, User], walk_to: Callable[..., Case]
) -> None:
    case = walk_to(open_case, c.Stage.PRE_DEPARTURE, users)
    services.risk_add(
        actor=Actor(user=carla), case=case, description="Feud in the home town", level="high"
    )
    body = text(client_for(carla).get(detail_url(case)))
    checklist = body.split('class="checklist"')[1].split("</ul>")[0]
    assert 'class="todo"' in checklist and "Travel document not ready." in checklist
    assert "A protection risk at the place of return is still open" in checklist
    case = update(
        case,
        carla,
        travel_document_ready=True,
        fit_to_travel=True,
        itinerary="BRU-KIV",
        departure_date=datetime.date.today(),
        information_pack=True,
    )
    body = text(client_for(carla).get(detail_url(case)))
    checklist = body.split('class="checklist"')[1].split("</ul>")[0]
    assert 'class="ok"' in checklist and "Travel document, fit-to-travel check" in checklist


def test_transition_by_post_moves_the_case(carla: User, open_case: Case) -> None:
    client = client_for(carla)
    response = client.post(
        reverse("cases:transition", args=[open_case.pk]),
        {"target": c.Stage.COUNSELLING, "version": open_case.version},
        follow=True,
    )
    open_case.refresh_from_db()
    assert open_case.stage == c.Stage.COUNSELLING
    body = text(response)
    assert "The case is now at the stage: counselling." in body
    assert "Record the decision" in body  # the next button
    assert "intake → counselling" in body  # the timeline


def test_refused_transition_shows_the_reason(carla: User, open_case: Case) -> None:
    case = advance(open_case, carla, c.Stage.COUNSELLING)
    response = client_for(carla).post(
        reverse("cases:transition", args=[case.pk]),
        {"target": c.Stage.DECISION, "version": case.version},
    )
    assert response.status_code == 200
    assert "Record at least one counselling session." in text(response)
    case.refresh_from_db()
    assert case.stage == c.Stage.COUNSELLING


def test_refused_transition_is_translated(carla: User, open_case: Case) -> None:
    from django.utils import translation

    with translation.override("fr"):
        expected = translation.gettext("Record at least one counselling session.")
    case = advance(open_case, carla, c.Stage.COUNSELLING)
    response = client_for(carla, "fr").post(
        reverse("cases:transition", args=[case.pk]),
        {"target": c.Stage.DECISION, "version": case.version},
    )
    assert response.status_code == 200
    assert expected in text(response)
    assert 'lang="fr"' in text(response)


def test_withdrawal_needs_a_reason(carla: User, open_case: Case) -> None:
    url = reverse("cases:transition", args=[open_case.pk])
    client = client_for(carla)
    response = client.post(url, {"target": c.Stage.WITHDRAWN, "version": open_case.version})
    assert "Give the reason." in text(response)
    open_case.refresh_from_db()
    assert open_case.stage == c.Stage.INTAKE
    client.post(
        url,
        {"target": c.Stage.WITHDRAWN, "version": open_case.version, "reason": "Stays with family"},
    )
    open_case.refresh_from_db()
    assert open_case.stage == c.Stage.WITHDRAWN
    body = text(client.get(detail_url(open_case)))
    assert "Stays with family" in body
    assert reverse("cases:transition", args=[open_case.pk]) not in body


def test_closing_early_is_offered_to_the_supervisor_only(
    carla: User, open_case: Case, users: dict[str, User]
) -> None:
    assert "Close the case early" not in text(client_for(carla).get(detail_url(open_case)))
    sam = users["supervisor"]
    body = text(client_for(sam).get(detail_url(open_case)))
    assert "Close the case early" in body and "did not travel" in body.lower()


def test_stale_transition_changes_nothing(carla: User, open_case: Case) -> None:
    old = open_case.version
    update(open_case, carla, return_region="MD-CU")
    response = client_for(carla).post(
        reverse("cases:transition", args=[open_case.pk]),
        {"target": c.Stage.COUNSELLING, "version": old},
    )
    assert "Somebody else changed this record" in text(response)
    open_case.refresh_from_db()
    assert open_case.stage == c.Stage.INTAKE


def test_stage_form_saves_and_a_stale_version_changes_nothing(
    carla: User, open_case: Case, users: dict[str, User], walk_to: Callable[..., Case]
) -> None:
    case = walk_to(open_case, c.Stage.SCREENING, users)
    url = reverse("cases:update", args=[case.pk])
    client = client_for(carla)
    page = text(client.get(detail_url(case)))
    assert "Vulnerability assessment" in page and 'name="screened_on"' in page
    response = client.post(
        url,
        {
            "version": case.version,
            "stage": case.stage,
            "vulnerabilities": ["health_condition"],
            "vulnerability_notes": "Needs insulin",
            "screened_on": "2025-03-01",
        },
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.vulnerabilities == ["health_condition"]
    assert case.screened_on == datetime.date(2025, 3, 1)
    stale_version = case.version - 1
    response = client.post(
        url,
        {
            "version": stale_version,
            "stage": case.stage,
            "vulnerability_notes": "Overwritten?",
            "screened_on": "2025-03-02",
        },
    )
    assert response.status_code == 200
    body = text(response)
    assert "Somebody else changed this record" in body
    assert "Overwritten?" in body  # the user's entry is kept
    assert "Current value:" in body and "Needs insulin" in body
    assert f'name="version" value="{case.version}"' in body
    case.refresh_from_db()
    assert case.vulnerability_notes == "Needs insulin"
    assert case.screened_on == datetime.date(2025, 3, 1)


def test_details_and_assignment(carla: User, open_case: Case, users: dict[str, User]) -> None:
    rene = users["reintegration_officer"]
    client = client_for(carla)
    response = client.post(
        reverse("cases:assign", args=[open_case.pk]),
        {"assigned_to": rene.pk, "version": open_case.version},
    )
    assert response.status_code == 302
    open_case.refresh_from_db()
    assert open_case.assigned_to == rene
    response = client.post(
        reverse("cases:update", args=[open_case.pk]),
        {
            "part": "details",
            "version": open_case.version,
            "host_country": "BE",
            "origin_country": "MD",
            "language": "es",
            "removal_order": "on",
        },
    )
    assert response.status_code == 302
    open_case.refresh_from_db()
    assert open_case.language == "es" and open_case.removal_order
    stats = users["statistician"]
    response = client.post(
        reverse("cases:assign", args=[open_case.pk]),
        {"assigned_to": stats.pk, "version": open_case.version},
    )
    assert "Select a valid choice" in text(response)


# Counselling, risks, notes, tasks --------------------------------------------------------------


def test_counselling_session_is_recorded(carla: User, open_case: Case) -> None:
    client = client_for(carla)
    url = reverse("cases:counselling_add", args=[open_case.pk])
    response = client.post(url, {"held_on": "2025-02-01", "language": "Romanian"})
    assert "This field is required." in text(response)
    response = client.post(
        url,
        {
            "held_on": "2025-02-01",
            "topics": ["rights", "options"],
            "language": "Romanian",
            "interpreter": "I. Rusu",
            "summary": "Explained the options",
        },
        follow=True,
    )
    body = text(response)
    assert "The counselling session has been recorded." in body
    assert "interpreter: I. Rusu" in body and "options, including staying legally" in body


def test_risk_mitigation_and_sign_off(carla: User, open_case: Case, users: dict[str, User]) -> None:
    sam = users["supervisor"]
    client = client_for(carla)
    client.post(
        reverse("cases:risk_add", args=[open_case.pk]),
        {"description": "Threats from a creditor", "level": "high"},
    )
    client.post(
        reverse("cases:risk_add", args=[open_case.pk]),
        {"description": "No housing", "level": "medium"},
    )
    creditor, housing = open_case.risks.order_by("id")
    page = text(client.get(detail_url(open_case)))
    assert "Threats from a creditor" in page
    assert reverse("cases:risk_sign_off", args=[creditor.pk]) not in page
    assert reverse("cases:risk_mitigate", args=[creditor.pk]) in page
    assert (
        client.post(
            reverse("cases:risk_sign_off", args=[creditor.pk]),
            {f"sign-off-{creditor.pk}-reason": "x"},
        ).status_code
        == 403
    )
    client.post(
        reverse("cases:risk_mitigate", args=[housing.pk]),
        {f"mitigate-{housing.pk}-mitigation": "Shelter booked"},
    )
    supervisor = client_for(sam)
    assert reverse("cases:risk_sign_off", args=[creditor.pk]) in text(
        supervisor.get(detail_url(open_case))
    )
    response = supervisor.post(
        reverse("cases:risk_sign_off", args=[creditor.pk]),
        {f"sign-off-{creditor.pk}-reason": "Creditor paid off by the family"},
        follow=True,
    )
    assert "The risk has been signed off." in text(response)
    creditor.refresh_from_db()
    housing.refresh_from_db()
    assert creditor.status == c.RiskStatus.SIGNED_OFF and creditor.signed_off_by == sam
    assert housing.status == c.RiskStatus.MITIGATED and housing.mitigation == "Shelter booked"


def test_restricted_note_is_hidden_from_others_but_not_supervisors(
    carla: User, open_case: Case, users: dict[str, User]
) -> None:
    client_for(carla).post(
        reverse("cases:note_add", args=[open_case.pk]),
        {"text": "Disclosed a trafficking history", "sensitivity": "restricted"},
    )
    client_for(carla).post(
        reverse("cases:note_add", args=[open_case.pk]),
        {"text": "Prefers calls in the morning", "sensitivity": "normal"},
    )
    assert CaseNote.objects.filter(case=open_case).count() == 2
    mine = text(client_for(carla).get(detail_url(open_case)))
    assert "Disclosed a trafficking history" in mine
    rene = text(client_for(users["reintegration_officer"]).get(detail_url(open_case)))
    assert "Prefers calls in the morning" in rene
    assert "Disclosed a trafficking history" not in rene
    sam = text(client_for(users["supervisor"]).get(detail_url(open_case)))
    assert "Disclosed a trafficking history" in sam


def test_task_added_and_done(carla: User, open_case: Case) -> None:
    client = client_for(carla)
    client.post(
        reverse("cases:task_add", args=[open_case.pk]),
        {"title": "Call the consulate", "due_on": "2025-01-10"},
    )
    task = CaseTask.objects.get(case=open_case, title="Call the consulate")
    assert "overdue" in text(client.get(detail_url(open_case)))
    response = client.post(reverse("cases:task_done", args=[task.pk]), follow=True)
    assert "The task is marked as done." in text(response)
    task.refresh_from_db()
    assert task.done_by == carla
    again = client.post(reverse("cases:task_done", args=[task.pk]), follow=True)
    assert "already been marked as done" in text(again)


def test_parts_of_invisible_cases_are_not_found(omar: User, open_case: Case) -> None:
    task = services.task_add(
        actor=Actor(user=open_case.assigned_to),
        case=open_case,
        title="Hidden",
        due_on=datetime.date.today(),
    )
    client = client_for(omar)
    assert client.post(reverse("cases:task_done", args=[task.pk])).status_code == 404
    assert (
        client.post(reverse("cases:note_add", args=[open_case.pk]), {"text": "x"}).status_code
        == 404
    )
    assert not CaseNote.objects.exists()


def test_reader_without_change_rights_is_refused_writes(
    open_case: Case, users: dict[str, User]
) -> None:
    pablo = users["programme_manager"]
    client = client_for(pablo)
    page = text(client.get(detail_url(open_case)))
    assert open_case.reference in page
    assert reverse("cases:transition", args=[open_case.pk]) not in page
    assert "Write a note" not in page
    response = client.post(
        reverse("cases:note_add", args=[open_case.pk]), {"text": "x", "sensitivity": "normal"}
    )
    assert response.status_code == 403
    assert not CaseNote.objects.exists()


# Documents ----------------------------------------------------------------------------------------


def test_document_upload_checks_type_and_content(carla: User, open_case: Case) -> None:
    client = client_for(carla)
    url = reverse("cases:document_upload", args=[open_case.pk])
    exe = client.post(
        url, {"kind": "other", "file": SimpleUploadedFile("setup.exe", b"MZ\x90\x00rest")}
    )
    assert exe.status_code == 200
    assert "Only PDF, JPEG and PNG files can be attached." in text(exe)
    fake = client.post(
        url, {"kind": "other", "file": SimpleUploadedFile("letter.pdf", b"MZ\x90\x00not a pdf")}
    )
    assert "content does not match its name (letter.pdf)" in text(fake)
    assert not CaseDocument.objects.exists()
    response = client.post(
        url,
        {"kind": "signed_decision", "file": SimpleUploadedFile("decision.pdf", PDF_BYTES)},
        follow=True,
    )
    body = text(response)
    assert "The document has been attached." in body
    document = CaseDocument.objects.get(case=open_case)
    assert reverse("cases:document", args=[document.pk]) in body
    assert "decision.pdf" in body and "signed decision form" in body


def test_document_download_for_the_case_team_only(carla: User, omar: User, open_case: Case) -> None:
    document = services.document_upload(
        actor=Actor(user=carla),
        case=open_case,
        kind="other",
        uploaded_file=SimpleUploadedFile("letter.pdf", PDF_BYTES),
    )
    url = reverse("cases:document", args=[document.pk])
    response = client_for(carla).get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF_BYTES  # type: ignore[attr-defined]
    assert response["Content-Type"] == "application/pdf"
    assert 'attachment; filename="letter.pdf"' in response["Content-Disposition"]
    assert AuditEvent.objects.filter(
        action=AuditAction.VIEW, entity_type="cases.casedocument", entity_id=str(document.pk)
    ).exists()
    assert client_for(omar).get(url).status_code == 404
    assert client_for(carla).get(reverse("cases:document", args=[99999])).status_code == 404


# Supervision, languages, roles ------------------------------------------------------------------


def test_supervision_is_for_supervisors(
    carla: User, open_case: Case, users: dict[str, User], walk_to: Callable[..., Case]
) -> None:
    case = walk_to(open_case, c.Stage.SCREENING, users)
    services.risk_add(actor=Actor(user=carla), case=case, description="Feud", level="high")
    assert client_for(carla).get(reverse("cases:supervision")).status_code == 403
    response = client_for(users["supervisor"]).get(reverse("cases:supervision"))
    assert response.status_code == 200
    body = text(response)
    waiting = body.split('id="sign-off"')[1].split("</section>")[0]
    assert case.reference in waiting
    caseload = body.split('id="caseload"')[1].split("</section>")[0]
    assert "carla" in caseload and f"?assigned={carla.pk}" in caseload


@pytest.mark.parametrize(
    "url_name", ["cases:dashboard", "cases:list", "cases:supervision", "cases:detail"]
)
def test_pages_render_in_french(
    url_name: str, open_case: Case, users: dict[str, User], client: Client
) -> None:
    sam = users["supervisor"]
    client.force_login(sam)
    client.cookies["django_language"] = "fr"
    args = [open_case.pk] if url_name == "cases:detail" else []
    response = client.get(reverse(url_name, args=args))
    assert response.status_code == 200
    body = text(response)
    assert '<html lang="fr">' in body and "Se déconnecter" in body


def test_case_page_in_french_by_accept_language(carla: User, open_case: Case) -> None:
    response = client_for(carla, "fr").get(detail_url(open_case))
    assert response.status_code == 200 and '<html lang="fr">' in text(response)


@pytest.mark.parametrize(
    ("username", "status"),
    [
        ("alice", 200),
        ("sam", 200),
        ("carla", 200),
        ("rita", 404),
        ("rene", 200),
        ("pablo", 200),
        ("stan", 404),
        ("parker", 404),
        ("omar", 404),
    ],
)
def test_case_page_by_role(
    username: str, status: int, open_case: Case, users: dict[str, User], omar: User
) -> None:
    user = User.objects.get(username=username)
    response = client_for(user).get(detail_url(open_case))
    assert response.status_code == status
    if status == 200:
        assert open_case.reference in text(response)
        assert AuditEvent.objects.filter(
            actor=user, action=AuditAction.VIEW, entity_type="cases.case"
        ).exists()
    else:
        assert open_case.reference not in text(response)


def test_pages_need_a_login(open_case: Case, client: Client) -> None:
    for url in (reverse("cases:dashboard"), detail_url(open_case)):
        response = client.get(url)
        assert response.status_code == 302 and "login" in response["Location"]


def test_dashboard_and_list_are_for_case_readers(users: dict[str, User]) -> None:
    client = client_for(users["statistician"])
    assert client.get(reverse("cases:dashboard")).status_code == 403
    assert client.get(reverse("cases:list")).status_code == 403


def test_arrival_form_records_whether_the_person_was_met(
    carla: User, open_case: Case, users: dict[str, User], walk_to: Callable[..., Case]
) -> None:
    case = walk_to(open_case, c.Stage.DEPARTED, users)
    client = client_for(carla)
    page = text(client.get(detail_url(case)))
    assert (
        'name="met_on_arrival" value="" required id="stage_met_on_arrival_0" checked' in page
        or ('value="" id="stage_met_on_arrival_0" checked' in page)
    )
    response = client.post(
        reverse("cases:update", args=[case.pk]),
        {
            "version": case.version,
            "stage": case.stage,
            "arrived_on": "2025-04-02",
            "arrival_point": "Chișinău airport",
            "met_on_arrival": "True",
            "immediate_needs": ["medical", "transport"],
        },
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.met_on_arrival is True and case.immediate_needs == ["medical", "transport"]
    page = text(client.get(detail_url(case)))
    assert 'value="True" id="stage_met_on_arrival_1" checked' in page
    assert "Arrival date recorded, and whether the person was met." in page


def test_a_closed_case_says_why_it_cannot_be_changed(carla: User, open_case: Case) -> None:
    case = advance(open_case, carla, c.Stage.WITHDRAWN, reason="Stays")
    response = client_for(carla).post(
        reverse("cases:counselling_add", args=[case.pk]),
        {"held_on": "2025-02-01", "topics": ["rights"], "language": "Romanian"},
    )
    assert response.status_code == 200
    assert "A closed case cannot be changed." in text(response)
    assert not case.sessions.exists()


def test_dashboards_that_name_people_are_audited(users: dict[str, User]) -> None:
    from retorno.core.models import AuditAction, AuditEvent

    for role, url, summary in (
        ("caseworker", "/cases/", "my cases"),
        ("supervisor", "/cases/supervision/", "supervision"),
    ):
        client = Client()
        client.force_login(users[role])
        assert client.get(url).status_code == 200
        event = AuditEvent.objects.filter(actor=users[role], action=AuditAction.LIST).latest("id")
        assert event.summary == summary and event.entity_type == "cases.case"
