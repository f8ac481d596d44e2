"""Generated PDFs of a case: who may fetch them, what they say, and in which language."""

import datetime
import re
import zlib
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from retorno.accounts.roles import Role
from retorno.cases import choices as c
from retorno.cases import services
from retorno.cases.models import Case, Partner, PlanItem, ReintegrationPlan
from retorno.core.audit import Actor
from retorno.core.models import AuditAction, AuditEvent
from retorno.registry.models import Person

pytestmark = pytest.mark.django_db

KINDS = ("summary", "travel_letter", "plan")


# Reading the PDFs back: decompress the streams and map each font's glyphs to text. --------


def _objects(data: bytes) -> dict[int, tuple[bytes, bytes | None]]:
    objects: dict[int, tuple[bytes, bytes | None]] = {}
    pos = 0
    header = re.compile(rb"(\d+) 0 obj")
    while True:
        m = header.search(data, pos)
        if not m:
            return objects
        start = m.end()
        end_obj = data.find(b"endobj", start)
        stream_at = data.find(b"stream", start)
        if 0 <= stream_at < end_obj:
            head = data[start:stream_at]
            found = re.search(rb"/Length (\d+)", head)
            assert found is not None
            length = int(found.group(1))
            body_start = stream_at + len(b"stream")
            body_start += 2 if data[body_start : body_start + 2] == b"\r\n" else 1
            raw = data[body_start : body_start + length]
            if b"/FlateDecode" in head:
                raw = zlib.decompress(raw)
            objects[int(m.group(1))] = (head, raw)
            pos = data.find(b"endobj", body_start + length) + 6
        else:
            objects[int(m.group(1))] = (data[start:end_obj], None)
            pos = end_obj + 6


def _unescape(raw: bytes) -> bytes:
    out = bytearray()
    i = 0
    while i < len(raw):
        ch = raw[i]
        if ch == 0x5C:  # backslash
            nxt = raw[i + 1 : i + 2]
            simple = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}
            if nxt in simple:
                out += simple[nxt]
                i += 2
            elif nxt.isdigit():
                digits = re.match(rb"[0-7]{1,3}", raw[i + 1 : i + 4])
                assert digits is not None
                octal = digits.group(0)
                out.append(int(octal, 8) & 0xFF)
                i += 1 + len(octal)
            else:
                out += nxt
                i += 2
        else:
            out.append(ch)
            i += 1
    return bytes(out)


def pdf_text(data: bytes) -> str:
    """The text a PDF shows, read back through each font's ToUnicode map."""
    objects = _objects(data)
    cmaps: dict[int, dict[int, str]] = {}
    names: dict[bytes, int] = {}
    for head, _stream in objects.values():
        for name, ref in re.findall(rb"/(F\d+) (\d+) 0 R", head):
            names[name] = int(ref)
    for number, (head, _stream) in objects.items():
        to_unicode = re.search(rb"/ToUnicode (\d+) 0 R", head)
        if to_unicode:
            cmap = objects[int(to_unicode.group(1))][1] or b""
            table: dict[int, str] = {}
            for src, dst in re.findall(rb"<([0-9A-Fa-f]+)> <([0-9A-Fa-f]+)>", cmap):
                table[int(src, 16)] = bytes.fromhex(dst.decode()).decode("utf-16-be")
            for a, b, dst in re.findall(
                rb"<([0-9A-Fa-f]+)> <([0-9A-Fa-f]+)> <([0-9A-Fa-f]+)>", cmap
            ):
                for k in range(int(a, 16), int(b, 16) + 1):
                    table[k] = chr(int(dst, 16) + k - int(a, 16))
            cmaps[number] = table
    text: list[str] = []
    token = re.compile(rb"/(F\d+) [\d.]+ Tf|\((?:\\.|[^\\)])*\)|\bET\b|\bTd\b|\bT\*", re.S)
    contents = sorted(
        int(ref)
        for head, _ in objects.values()
        for ref in re.findall(rb"/Contents (\d+) 0 R", head)
    )
    for number in contents:
        stream = objects[number][1] or b""
        font: int | None = None
        for m in token.finditer(stream):
            piece = m.group(0)
            if piece.startswith(b"/"):
                font = names.get(m.group(1))
            elif piece.startswith(b"("):
                raw = _unescape(piece[1:-1])
                glyphs = cmaps.get(font or -1)
                if glyphs is not None:
                    text.append(
                        "".join(
                            glyphs.get(int.from_bytes(raw[i : i + 2], "big"), "\ufffd")
                            for i in range(0, len(raw), 2)
                        )
                    )
                else:
                    text.append(raw.decode("latin-1"))
            else:
                text.append("\n")
    return "".join(text)


# Fixtures ---------------------------------------------------------------------------------


@pytest.fixture
def ready_case(open_case: Case, users: dict[str, User]) -> Case:
    """A case with travel details, vulnerabilities, notes and an approved plan."""
    Case.objects.filter(pk=open_case.pk).update(
        itinerary="BRU-KIV 12:40, TK 1234",
        departure_date=datetime.date(2025, 6, 3),
        escort_needed=True,
        vulnerabilities=[c.CaseVulnerability.HEALTH_CONDITION],
        return_region="MD-CU",
    )
    carla = users[Role.CASEWORKER]
    services.note_add(
        actor=Actor(user=carla),
        case=open_case,
        text="Secret detail only for the caseworker",
        sensitivity=c.Sensitivity.RESTRICTED,
    )
    services.note_add(actor=Actor(user=carla), case=open_case, text="Ordinary remark")
    partner = Partner.objects.create(
        organisation=open_case.organisation,
        name="Centrul de Formare",
        country="MD",
        kind="training",
    )
    plan = ReintegrationPlan.objects.create(
        case=open_case,
        currency="EUR",
        summary="Open a tailoring workshop in Chișinău",
        status=c.PlanStatus.APPROVED,
        approved_by=users[Role.SUPERVISOR],
        approved_at=timezone.now(),
    )
    PlanItem.objects.create(
        plan=plan,
        dimension=c.PlanDimension.ECONOMIC,
        kind=c.AssistanceKind.MICRO_CREDIT,
        description="Sewing machines",
        planned_amount=Decimal("1500.50"),
        partner=partner,
    )
    PlanItem.objects.create(
        plan=plan,
        dimension=c.PlanDimension.SOCIAL,
        kind=c.AssistanceKind.HOUSING,
        description="Three months of rent",
        planned_amount=Decimal("900"),
    )
    open_case.refresh_from_db()
    return open_case


def fetch(user: User, case: Case, kind: str) -> Any:
    client = Client()
    client.force_login(user)
    return client.get(reverse("cases:pdf", args=[case.pk, kind]))


def text_of(user: User, case: Case, kind: str) -> str:
    response = fetch(user, case, kind)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    # Words wrapped onto the next line read as one line again.
    return " ".join(pdf_text(response.content).split())


# Tests ------------------------------------------------------------------------------------


def test_each_kind_is_a_pdf_for_the_caseworker(users: dict[str, User], ready_case: Case) -> None:
    carla = users[Role.CASEWORKER]
    for kind in KINDS:
        response = fetch(carla, ready_case, kind)
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response.content.startswith(b"%PDF")
        assert "attachment" in response["Content-Disposition"]
        assert b"http://" not in response.content and b"https://" not in response.content


def test_other_organisations_get_404(omar: User, ready_case: Case) -> None:
    for kind in KINDS:
        assert fetch(omar, ready_case, kind).status_code == 404
    assert not AuditEvent.objects.filter(actor=omar, action=AuditAction.EXPORT).exists()


def test_unknown_kind_and_missing_plan_are_404(users: dict[str, User], open_case: Case) -> None:
    carla = users[Role.CASEWORKER]
    assert fetch(carla, open_case, "passport").status_code == 404
    assert fetch(carla, open_case, "plan").status_code == 404
    assert fetch(carla, open_case, "summary").status_code == 200


def test_summary_content_leaves_notes_out(users: dict[str, User], ready_case: Case) -> None:
    text = text_of(users[Role.CASEWORKER], ready_case, "summary")
    assert "Case summary" in text and ready_case.reference in text
    assert "Amina Kamara" in text
    assert "April 12, 1990" in text  # date of birth
    assert "intake" in text  # the stage
    assert "AVRR Moldova" in text and "Brussels Return Office" in text
    assert "health condition" in text  # vulnerability label, not its code
    assert "Belgium" in text and "Moldova" in text and "Chișinău" in text
    assert "case opened" in text and "note" in text  # timeline
    assert "Secret detail" not in text and "Ordinary remark" not in text


def test_travel_letter_content(users: dict[str, User], ready_case: Case) -> None:
    text = text_of(users[Role.CASEWORKER], ready_case, "travel_letter")
    assert "To whom it may concern" in text
    assert "Amina Kamara" in text and "April 12, 1990" in text
    assert "Moldova" in text  # nationality
    assert "June 3, 2025" in text
    assert "BRU-KIV 12:40, TK 1234" in text
    assert "with an escort" in text
    assert "Brussels Return Office" in text


def test_plan_content(users: dict[str, User], ready_case: Case) -> None:
    text = text_of(users[Role.CASEWORKER], ready_case, "plan")
    assert "Reintegration plan" in text
    assert "Open a tailoring workshop in Chișinău" in text
    assert text.index("Economic") < text.index("Sewing machines") < text.index("Social")
    assert text.index("Social") < text.index("Three months of rent")
    assert "micro-credit" in text and "Centrul de Formare" in text
    assert "1500.50 EUR" in text and "900.00 EUR" in text
    assert "2400.50 EUR" in text  # planned in total
    assert "Approved by sam on" in text


def test_case_language_not_the_readers(users: dict[str, User], ready_case: Case) -> None:
    Case.objects.filter(pk=ready_case.pk).update(language="fr")
    ready_case.refresh_from_db()
    carla = users[Role.CASEWORKER]
    letter = text_of(carla, ready_case, "travel_letter")
    assert "Date de naissance" in letter
    assert "12 avril 1990" in letter and "3 juin 2025" in letter
    assert "Moldavie" in letter
    assert "Date of birth" not in letter
    summary = text_of(carla, ready_case, "summary")
    assert "Belgique" in summary and "Nationalités" in summary
    plan = text_of(carla, ready_case, "plan")
    assert "1500,50 EUR" in plan
    # The page around the download stays in the reader's language.
    client = Client()
    client.force_login(carla)
    html = client.get(reverse("cases:programmes")).content.decode()
    assert "Programmes" in html and 'lang="en"' in html


def test_vietnamese_name_prints_as_written(users: dict[str, User], ready_case: Case) -> None:
    Person.objects.filter(pk=ready_case.person_id).update(
        given_name="Thị Đặng", family_name="Nguyễn"
    )
    ready_case.refresh_from_db()
    for kind in KINDS:
        assert "Thị Đặng Nguyễn" in text_of(users[Role.CASEWORKER], ready_case, kind)


def test_without_the_font_file_names_are_spelled_in_latin(
    users: dict[str, User], ready_case: Case, settings: Any
) -> None:
    settings.PDF_FONT = "/nonexistent/DejaVuSans.ttf"
    Person.objects.filter(pk=ready_case.person_id).update(given_name="Thị", family_name="Müller")
    ready_case.refresh_from_db()
    text = text_of(users[Role.CASEWORKER], ready_case, "travel_letter")
    assert "Thi Müller" in text


def test_export_is_audited(users: dict[str, User], ready_case: Case) -> None:
    carla = users[Role.CASEWORKER]
    for kind in KINDS:
        assert fetch(carla, ready_case, kind).status_code == 200
    events = AuditEvent.objects.filter(
        actor=carla,
        action=AuditAction.EXPORT,
        entity_type="cases.case",
        entity_id=str(ready_case.pk),
    )
    assert events.count() == 3
    assert {e.person_id for e in events} == {ready_case.person_id}
    assert all("PDF" in e.summary for e in events)
