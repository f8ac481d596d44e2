"""Printable documents of a case: its summary, a travel letter and the reintegration plan.

Each is written in the case's language, whatever the language of the person who
downloads it, and embeds DejaVu Sans so that names print as they are written
(Nguyễn, Đặng, Müller). Nothing is fetched from the network. Without the font
file, a built-in font is used and the characters it cannot draw are spelled in
plain Latin letters.
"""

import datetime
import re
import unicodedata
from collections.abc import Callable, Iterable
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import override
from fpdf import FPDF
from fpdf.enums import XPos, YPos

from retorno.cases import choices as c
from retorno.cases import selectors
from retorno.cases.models import Case, ReintegrationPlan
from retorno.core import geo
from retorno.core.audit import Actor, audit_record
from retorno.core.errors import NotFound
from retorno.core.models import AuditAction

# Debian's fonts-dejavu-core (installed by `make setup`); settings.PDF_FONT may point elsewhere.
FONT_PATH = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
KINDS = ("summary", "travel_letter", "plan")
# The printed timeline shows this many of the latest events.
TIMELINE_EVENTS = 15

_RTL = {"R", "AL", "AN"}


def font_path() -> Path:
    return Path(getattr(settings, "PDF_FONT", FONT_PATH))


def _date(value: datetime.date | datetime.datetime | None) -> str:
    if value is None:
        return "—"
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return formats.date_format(value, "DATE_FORMAT")


def _money(amount: Decimal | None, currency: str) -> str:
    if amount is None:
        return "—"
    return f"{formats.number_format(amount, 2)} {currency}"


def _countries(codes: Iterable[str]) -> str:
    return ", ".join(geo.country_name(code) for code in codes) or "—"


def _labels(values: Iterable[str], choices: Any) -> list[str]:
    names = dict(choices.choices)
    return [str(names.get(value, value)) for value in values]


def _yes_no(value: bool | None) -> str:
    if value is None:
        return "—"
    return _("yes") if value else _("no")


class Document(FPDF):
    """An A4 page with the organisation and title above and page numbers below."""

    def __init__(self, *, title: str, organisation: str, reference: str) -> None:
        super().__init__(format="A4")
        self.doc_title = title
        self.organisation = organisation
        self.reference = reference
        self.set_margins(18, 16, 18)
        self.set_auto_page_break(True, margin=18)
        self.set_title(title)
        self.set_author(organisation)
        self.set_creator("Retorno")
        self.alias_nb_pages("{nb}")
        path = font_path()
        self.unicode_font = path.is_file()
        if self.unicode_font:
            bold = path.with_name("DejaVuSans-Bold.ttf")
            self.add_font("body", "", str(path))
            self.add_font("body", "B", str(bold if bold.is_file() else path))
            self.family_name = "body"
        else:
            self.family_name = "helvetica"
        self.set_font(self.family_name, size=10)
        self._glyphs: set[int] = set()
        if self.unicode_font:
            self._glyphs = set(getattr(self.fonts["body"], "cmap", {}))

    # Text that the font can draw -------------------------------------------------------

    def drawable(self, text: Any) -> str:
        text = unicodedata.normalize("NFC", str(text if text is not None else ""))
        if self.unicode_font:
            return "".join(ch if ord(ch) in self._glyphs or ch in "\n\t" else "?" for ch in text)
        from unidecode import unidecode

        out = []
        for ch in text:
            try:
                ch.encode(self.core_fonts_encoding or "latin-1")
            except UnicodeEncodeError:
                ch = unidecode(ch) or "?"
            out.append(ch)
        return (
            "".join(out)
            .encode(self.core_fonts_encoding or "latin-1", "replace")
            .decode(self.core_fonts_encoding or "latin-1")
        )

    # Page furniture ---------------------------------------------------------------------

    def header(self) -> None:
        self.set_font(self.family_name, size=8)
        self.set_text_color(90, 98, 110)
        self.cell(0, 5, self.drawable(self.organisation), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_draw_color(200, 206, 214)
        self.line(self.l_margin, self.get_y() + 1, self.w - self.r_margin, self.get_y() + 1)
        self.ln(5)
        self.set_text_color(0, 0, 0)

    def footer(self) -> None:
        self.set_y(-14)
        self.set_font(self.family_name, size=8)
        self.set_text_color(90, 98, 110)
        page = _("Page %(number)s of %(total)s") % {
            "number": self.page_no(),
            "total": "{nb}",
        }
        self.cell(0, 5, self.drawable(f"{self.reference} · {page}"), align="C")
        self.set_text_color(0, 0, 0)

    # Building blocks --------------------------------------------------------------------

    def title_block(self, title: str, subtitle: str = "") -> None:
        self.set_font(self.family_name, "B", 16)
        self.multi_cell(0, 8, self.drawable(title), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        if subtitle:
            self.set_font(self.family_name, size=10)
            self.set_text_color(90, 98, 110)
            self.multi_cell(0, 5, self.drawable(subtitle), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            self.set_text_color(0, 0, 0)
        self.ln(3)

    def heading(self, text: str) -> None:
        if self.get_y() > self.h - 40:
            self.add_page()
        self.ln(2)
        self.set_font(self.family_name, "B", 12)
        self.multi_cell(0, 7, self.drawable(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_font(self.family_name, size=10)

    def paragraph(self, text: str) -> None:
        self.set_font(self.family_name, size=10)
        self.multi_cell(0, 5, self.drawable(text), align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(2)

    def facts(self, rows: Iterable[tuple[str, Any]], label_width: float = 58) -> None:
        """Label and value side by side, the value wrapping under itself."""
        width = self.w - self.l_margin - self.r_margin - label_width
        for label, value in rows:
            if self.get_y() > self.h - 28:
                self.add_page()
            top = self.get_y()
            self.set_font(self.family_name, "B", 9)
            self.set_text_color(70, 78, 90)
            self.multi_cell(label_width - 3, 5, self.drawable(label), new_x=XPos.RIGHT)
            label_bottom = self.get_y()
            self.set_xy(self.l_margin + label_width, top)
            self.set_font(self.family_name, size=10)
            self.set_text_color(0, 0, 0)
            text = "—" if value in (None, "") else str(value)
            self.multi_cell(width, 5, self.drawable(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            self.set_y(max(self.get_y(), label_bottom) + 1)

    def grid(
        self, headers: list[str], rows: list[list[str]], widths: list[float], right: set[int]
    ) -> None:
        """A table with a heading row; the columns in ``right`` (amounts) align right."""
        self.set_font(self.family_name, size=9)
        aligns = tuple("RIGHT" if i in right else "LEFT" for i in range(len(widths)))
        with self.table(
            col_widths=tuple(widths),
            text_align=aligns,
            line_height=5,
            first_row_as_headings=True,
            borders_layout="HORIZONTAL_LINES",
        ) as table:
            row = table.row()
            for header in headers:
                row.cell(self.drawable(header))
            for values in rows:
                row = table.row()
                for value in values:
                    row.cell(self.drawable(value))
        self.ln(2)

    def output_bytes(self) -> bytes:
        return bytes(self.output())


def _printable_name(text: str) -> str:
    """Leave out right-to-left script, which the PDF would print letter by letter, reversed."""
    if any(unicodedata.bidirectional(ch) in _RTL for ch in text):
        return ""
    return text


def _new_document(case: Case, title: str) -> Document:
    organisation = case.organisation.name
    document = Document(title=title, organisation=organisation, reference=case.reference)
    document.set_lang(case.language)
    document.add_page()
    return document


def _person_rows(case: Case) -> list[tuple[str, Any]]:
    person = case.person
    rows: list[tuple[str, Any]] = [(_("Name"), person.full_name)]
    original = _printable_name(person.name_original_script)
    if original:
        rows.append((_("Name in original script"), original))
    rows += [
        (_("Date of birth"), _date(person.date_of_birth)),
        (_("Nationalities"), _countries(person.nationalities)),
    ]
    return rows


def case_summary(case: Case) -> bytes:
    """Who, where in the process, under which programme, the key dates and the latest events.

    Notes are never printed: the timeline only says that a note was written.
    """
    document = _new_document(case, _("Case summary"))
    document.title_block(
        _("Case summary"),
        _("Case %(reference)s, printed on %(date)s")
        % {"reference": case.reference, "date": _date(timezone.localdate())},
    )
    document.heading(_("Person"))
    document.facts(_person_rows(case))
    document.heading(_("Case"))
    document.facts(
        [
            (_("Stage"), case.get_stage_display()),
            (_("In this stage since"), _date(case.stage_changed_at)),
            (_("Programme"), case.programme.name if case.programme else "—"),
            (_("Organisation"), case.organisation.name),
            (
                _("Caseworker"),
                (case.assigned_to.get_full_name() or case.assigned_to.get_username())
                if case.assigned_to
                else "—",
            ),
            (_("Host country"), geo.country_name(case.host_country)),
            (_("Country of return"), geo.country_name(case.origin_country)),
            (_("Region of return"), geo.subdivision_name(case.return_region) or "—"),
            (_("Removal order"), _yes_no(case.removal_order)),
            (_("Outcome"), case.get_outcome_display() if case.outcome else "—"),
        ]
    )
    document.heading(_("Key dates"))
    document.facts(
        [
            (_("Opened"), _date(case.created_at)),
            (_("Decision date"), _date(case.decision_on)),
            (_("Screening date"), _date(case.screened_on)),
            (_("Departure date"), _date(case.departure_date)),
            (_("Arrival date"), _date(case.arrived_on)),
            (_("Closed"), _date(case.closed_at)),
        ]
    )
    document.heading(_("Vulnerabilities"))
    labels = _labels(case.vulnerabilities, c.CaseVulnerability)
    document.paragraph(
        "\n".join(f"• {label}" for label in labels) if labels else _("None recorded.")
    )
    if case.immediate_needs:
        document.heading(_("Immediate needs"))
        document.paragraph(
            "\n".join(f"• {label}" for label in _labels(case.immediate_needs, c.ImmediateNeed))
        )
    document.heading(_("Timeline"))
    events = list(reversed(selectors.case_events(case, TIMELINE_EVENTS)))
    if events:
        stages = dict(c.Stage.choices)
        rows = []
        for event in events:
            what = str(event.get_kind_display())
            if event.to_stage:
                to = str(stages.get(event.to_stage, event.to_stage))
                if event.from_stage:
                    to = f"{stages.get(event.from_stage, event.from_stage)} → {to}"
                what = f"{what}: {to}"
            # A note's text never reaches the timeline; other reasons are shown.
            detail = "" if event.kind == c.EventKind.NOTE else event.reason
            rows.append([_date(event.at), what, detail[:300]])
        width = document.w - document.l_margin - document.r_margin
        document.grid(
            [_("Date"), _("What"), _("Why")], rows, [width * 0.2, width * 0.35, width * 0.45], set()
        )
    else:
        document.paragraph(_("Nothing recorded yet."))
    return document.output_bytes()


def travel_letter(case: Case) -> bytes:
    """A letter the person carries: who they are and how they travel, for any official."""
    document = _new_document(case, _("Travel letter"))
    document.title_block(_("Travel letter"), _date(timezone.localdate()))
    document.heading(_("To whom it may concern"))
    document.paragraph(
        _(
            "%(organisation)s confirms that the person named below travels with its "
            "assistance to %(country)s, as part of an assisted return (case %(reference)s). "
            "Please give them any help they may need on the way."
        )
        % {
            "organisation": case.organisation.name,
            "country": geo.country_name(case.origin_country),
            "reference": case.reference,
        }
    )
    document.facts(
        [
            *_person_rows(case),
            (_("Travel date"), _date(case.departure_date)),
            (_("Itinerary"), case.itinerary or _("not booked yet")),
            (
                _("Escort"),
                _("The person travels with an escort.")
                if case.escort_needed
                else _("The person travels without an escort."),
            ),
            (_("Arrival point"), case.arrival_point or "—"),
            (_("Organisation"), case.organisation.name),
        ]
    )
    document.ln(14)
    document.paragraph(_("Signature and stamp"))
    document.ln(10)
    document.set_draw_color(120, 120, 120)
    document.line(document.l_margin, document.get_y(), document.l_margin + 70, document.get_y())
    return document.output_bytes()


def plan(case: Case) -> bytes:
    """The reintegration plan: its items by part, amounts with currency, and its approval."""
    reintegration_plan: ReintegrationPlan | None = selectors.plan_for(case)
    if reintegration_plan is None:
        raise NotFound()
    currency = reintegration_plan.currency
    document = _new_document(case, _("Reintegration plan"))
    document.title_block(
        _("Reintegration plan"),
        _("Case %(reference)s, printed on %(date)s")
        % {"reference": case.reference, "date": _date(timezone.localdate())},
    )
    document.facts(
        [
            (_("Name"), case.person.full_name),
            (_("Programme"), case.programme.name if case.programme else "—"),
            (_("Status"), reintegration_plan.get_status_display()),
            (_("Currency"), currency),
        ]
    )
    if reintegration_plan.summary:
        document.heading(_("The person's goals, in their words"))
        document.paragraph(reintegration_plan.summary)
    items = list(reintegration_plan.items.all())
    width = document.w - document.l_margin - document.r_margin
    kinds = dict(c.AssistanceKind.choices)
    for dimension, label in c.PlanDimension.choices:
        mine = [item for item in items if item.dimension == dimension]
        if not mine:
            continue
        document.heading(str(label).capitalize())
        rows = [
            [
                str(kinds.get(item.kind, item.kind)),
                item.description,
                item.partner.name if item.partner else "—",
                _date(item.due_on),
                _("in kind") if item.in_kind else _money(item.planned_amount, currency),
            ]
            for item in mine
        ]
        subtotal = sum((item.planned_amount or Decimal("0") for item in mine), Decimal("0"))
        rows.append(["", _("Subtotal"), "", "", _money(subtotal, currency)])
        document.grid(
            [_("Assistance"), _("Description"), _("Provider"), _("Due"), _("Amount")],
            rows,
            [width * 0.22, width * 0.3, width * 0.18, width * 0.12, width * 0.18],
            {4},
        )
    if not items:
        document.paragraph(_("The plan has no items yet."))
    budget = selectors.plan_budget(reintegration_plan)
    document.heading(_("Totals"))
    document.facts(
        [
            (_("Planned"), _money(budget.planned, currency)),
            (_("Paid"), _money(budget.paid, currency)),
            (_("Remaining"), _money(budget.remaining, currency)),
        ]
    )
    document.heading(_("Approval"))
    if reintegration_plan.status == c.PlanStatus.APPROVED and reintegration_plan.approved_by:
        approver = reintegration_plan.approved_by
        document.paragraph(
            _("Approved by %(name)s on %(date)s.")
            % {
                "name": approver.get_full_name() or approver.get_username(),
                "date": _date(reintegration_plan.approved_at),
            }
        )
    else:
        document.paragraph(
            _("Not approved yet (%(status)s).")
            % {"status": reintegration_plan.get_status_display()}
        )
    if reintegration_plan.review_comment:
        document.facts([(_("Reviewer's comment"), reintegration_plan.review_comment)])
    return document.output_bytes()


BUILDERS: dict[str, Callable[[Case], bytes]] = {
    "summary": case_summary,
    "travel_letter": travel_letter,
    "plan": plan,
}


def render(kind: str, case: Case, *, actor: Actor) -> tuple[bytes, str]:
    """Build one document of a case in the case's language and audit the export.

    The caller has already checked, through ``selectors.case_get_for``, that the actor
    may see the case.
    """
    if kind not in BUILDERS:
        raise NotFound()
    with override(case.language or settings.LANGUAGE_CODE):
        content = BUILDERS[kind](case)
    audit_record(
        actor=actor,
        action=AuditAction.EXPORT,
        entity=case,
        person_id=case.person_id,
        summary=f"{case.reference} {kind} PDF",
    )
    safe = re.sub(r"[^A-Za-z0-9_-]+", "-", case.reference).strip("-") or "case"
    return content, f"{safe}-{kind.replace('_', '-')}.pdf"
