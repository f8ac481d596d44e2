"""Programme, directory and community-project pages, role by role and language by language."""

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from retorno.accounts.models import Organisation
from retorno.accounts.roles import Role
from retorno.cases import choices as c
from retorno.cases.models import (
    Case,
    CommunityProject,
    Partner,
    Programme,
    ProgrammeAssistance,
    Referral,
)
from retorno.core.models import AuditAction, AuditEvent
from retorno.registry.models import Person

pytestmark = pytest.mark.django_db


def client_for(user: User, language: str = "en") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


def page(client: Client, url: str, **params: Any) -> str:
    response = client.get(url, params)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def make_partner(organisation: Organisation, name: str, country: str, kind: str, **extra: Any):
    return Partner.objects.create(
        organisation=organisation, name=name, country=country, kind=kind, **extra
    )


# Programmes -------------------------------------------------------------------------------


def test_programme_list_and_detail(users: dict[str, User], programme: Programme) -> None:
    programme.host_countries = ["BE"]
    programme.origin_countries = ["MD"]
    programme.capacity = 40
    programme.starts_on = datetime.date(2025, 1, 1)
    programme.save()
    client = client_for(users[Role.CASEWORKER])
    html = page(client, reverse("cases:programmes"))
    assert "AVRR Moldova" in html
    assert "assisted voluntary return and reintegration" in html
    assert "Belgium" in html and "Moldova" in html
    assert "100,000.00 EUR" in html
    assert "40" in html
    # A caseworker does not manage programmes: no button to add one.
    assert reverse("cases:programme_new") not in html

    html = page(client, reverse("cases:programme_detail", args=[programme.pk]))
    assert "housing allowance" in html and "1,500.00 EUR" in html
    assert "no ceiling" in html  # socio-cultural counselling has none
    assert "Committed by approved plans" in html and "Available" in html
    assert "Brussels Return Office" in html
    assert reverse("cases:programme_edit", args=[programme.pk]) not in html


def test_programme_budget_box_counts_approved_plans(
    users: dict[str, User], programme: Programme, open_case: Case
) -> None:
    from retorno.cases.models import PlanItem, ReintegrationPlan

    plan = ReintegrationPlan.objects.create(
        case=open_case, currency="EUR", status=c.PlanStatus.APPROVED
    )
    PlanItem.objects.create(
        plan=plan,
        dimension=c.PlanDimension.SOCIAL,
        kind=c.AssistanceKind.HOUSING,
        description="Rent",
        planned_amount=Decimal("1200.50"),
    )
    html = page(
        client_for(users[Role.PROGRAMME_MANAGER]),
        reverse("cases:programme_detail", args=[programme.pk]),
    )
    assert "1,200.50 EUR" in html  # committed
    assert "98,799.50 EUR" in html  # available


def test_programme_manager_creates_programme_with_catalogue(
    users: dict[str, User], host_org: Organisation
) -> None:
    pablo = users[Role.PROGRAMME_MANAGER]
    partner = make_partner(host_org, "Chișinău Training Centre", "MD", c.PartnerKind.TRAINING)
    client = client_for(pablo)
    html = page(client, reverse("cases:programmes"))
    assert reverse("cases:programme_new") in html
    form_html = page(client, reverse("cases:programme_new"))
    assert 'name="offer_housing"' in form_html and 'name="ceiling_housing"' in form_html
    assert "Chișinău Training Centre" in form_html
    response = client.post(
        reverse("cases:programme_new"),
        {
            "name": "Reintegration Senegal",
            "kind": c.ProgrammeKind.AVRR,
            "funding_source": "AMIF",
            "host_countries": ["BE", "NL"],
            "origin_countries": ["SN"],
            "currency": "EUR",
            "budget": "250000",
            "capacity": "120",
            "starts_on": "2025-01-01",
            "ends_on": "2027-12-31",
            "approval_threshold": "1500",
            "plan_due_days": "45",
            "eligible_nationalities": ["SN"],
            "eligible_statuses": ["rejected_asylum_seeker", "irregular"],
            "min_age": "18",
            "max_age": "65",
            "min_months_abroad": "6",
            "excludes_removal_orders": "on",
            "partners": [str(partner.pk)],
            "is_active": "on",
            "offer_housing": "on",
            "ceiling_housing": "1800.00",
            "offer_micro_credit": "on",
            "ceiling_micro_credit": "2500",
            "offer_legal": "on",
            "ceiling_legal": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    programme = Programme.objects.get(name="Reintegration Senegal")
    assert response["Location"] == reverse("cases:programme_detail", args=[programme.pk])
    assert programme.organisation == host_org
    assert programme.host_countries == ["BE", "NL"]
    assert programme.budget == Decimal("250000.00")
    assert programme.excludes_removal_orders is True
    assert list(programme.partners.all()) == [partner]
    catalogue = {a.kind: a.ceiling for a in programme.assistance.all()}
    assert catalogue == {
        "housing": Decimal("1800.00"),
        "micro_credit": Decimal("2500.00"),
        "legal": None,
    }
    assert AuditEvent.objects.filter(
        action=AuditAction.CREATE, entity_type="cases.programme", entity_id=str(programme.pk)
    ).exists()

    # Editing: drop micro-credit, change a ceiling.
    edit = reverse("cases:programme_edit", args=[programme.pk])
    html = page(client, edit)
    assert 'value="1800.00"' in html
    data = {
        "name": "Reintegration Senegal",
        "kind": c.ProgrammeKind.AVRR,
        "currency": "EUR",
        "budget": "250000",
        "approval_threshold": "1500",
        "plan_due_days": "45",
        "is_active": "on",
        "offer_housing": "on",
        "ceiling_housing": "2000",
        "version": str(programme.version),
    }
    assert client.post(edit, data).status_code == 302
    programme.refresh_from_db()
    assert {a.kind: a.ceiling for a in programme.assistance.all()} == {
        "housing": Decimal("2000.00")
    }

    # The same form again, now out of date: nothing is saved, and nothing typed is lost.
    data["ceiling_housing"] = "2222"
    data["name"] = "Renamed while somebody else edited"
    response = client.post(edit, data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Somebody else changed this record" in html
    assert 'value="Renamed while somebody else edited"' in html and 'value="2222"' in html
    assert f'name="version" value="{Programme.objects.get(pk=programme.pk).version}"' in html
    programme.refresh_from_db()
    assert programme.name == "Reintegration Senegal"


def test_caseworker_cannot_create_or_edit_programmes(
    users: dict[str, User], programme: Programme
) -> None:
    client = client_for(users[Role.CASEWORKER])
    assert client.get(reverse("cases:programme_new")).status_code == 403
    response = client.post(
        reverse("cases:programme_new"),
        {"name": "Sneaky", "kind": "avrr", "currency": "EUR", "budget": "1"},
    )
    assert response.status_code == 403
    assert client.get(reverse("cases:programme_edit", args=[programme.pk])).status_code == 403
    assert not Programme.objects.filter(name="Sneaky").exists()


def test_programme_of_another_organisation_is_not_found(omar: User, programme: Programme) -> None:
    client = client_for(omar)
    assert client.get(reverse("cases:programme_detail", args=[programme.pk])).status_code == 404
    assert "AVRR Moldova" not in page(client, reverse("cases:programmes"))


def test_eligibility_explains_each_rule(
    users: dict[str, User], programme: Programme, person: Person
) -> None:
    programme.eligible_nationalities = ["SN"]
    programme.min_age = 18
    programme.max_age = 60
    programme.save()
    carla = users[Role.CASEWORKER]
    client = client_for(carla)
    url = reverse("cases:programme_detail", args=[programme.pk])

    # Search by name first: people the user may see are offered.
    html = page(client, url, q="Kamara")
    assert f"?person={person.pk}" in html

    html = page(client, url, person=person.pk)
    assert "Amina Kamara" in html
    assert "Does not meet every rule of the programme." in html
    assert "Does not hold any nationality the programme admits (Senegal)." in html
    age = person.age_on(datetime.date.today())
    assert f"Aged {age}; the programme admits 18 to 60." in html
    assert html.count("✓") == 1 and html.count("✗") == 1
    assert AuditEvent.objects.filter(
        action=AuditAction.VIEW,
        entity_type="registry.person",
        entity_id=str(person.pk),
        actor=carla,
    ).exists()


def test_eligibility_does_not_reach_people_of_other_organisations(
    omar: User, origin_org: Organisation, host_org: Organisation, person: Person
) -> None:
    programme = Programme.objects.create(organisation=origin_org, name="Welcome home", kind="avrr")
    html = page(
        client_for(omar),
        reverse("cases:programme_detail", args=[programme.pk]),
        person=person.pk,
    )
    assert "Amina" not in html
    assert "No person with this number in the records you may see." in html


# Directory --------------------------------------------------------------------------------


def test_directory_filters_by_country_region_and_kind(
    users: dict[str, User], host_org: Organisation
) -> None:
    make_partner(host_org, "Centrul de Formare", "MD", c.PartnerKind.TRAINING, region="MD-CU")
    make_partner(host_org, "Spitalul Raional", "MD", c.PartnerKind.HEALTH)
    make_partner(host_org, "Dakar Skills", "SN", c.PartnerKind.TRAINING)
    client = client_for(users[Role.CASEWORKER])
    url = reverse("cases:partners")
    html = page(client, url)
    assert all(n in html for n in ("Centrul de Formare", "Spitalul Raional", "Dakar Skills"))

    html = page(client, url, country="MD", kind="training")
    assert "Centrul de Formare" in html
    assert "Spitalul Raional" not in html and "Dakar Skills" not in html
    assert "Chișinău" in html  # the region's name, and a list of the country's regions

    html = page(client, url, country="MD", region="MD-CU")
    assert "Centrul de Formare" in html and "Spitalul Raional" not in html

    html = page(client, url, kind="training")
    assert "Centrul de Formare" in html and "Dakar Skills" in html
    assert "Spitalul Raional" not in html
    assert 'name="viewport"' in html  # made for phones too


def test_directory_shows_referral_outcome_counts(
    users: dict[str, User], host_org: Organisation, origin_org: Organisation, open_case: Case
) -> None:
    partner = make_partner(host_org, "Centrul de Formare", "MD", c.PartnerKind.TRAINING)
    outcomes = [
        c.ServiceOutcome.RECEIVED,
        c.ServiceOutcome.RECEIVED,
        c.ServiceOutcome.NOT_RECEIVED,
        c.ServiceOutcome.DECLINED,
        c.ServiceOutcome.PENDING,
    ]
    for outcome in outcomes:
        Referral.objects.create(
            case=open_case, from_organisation=host_org, to_partner=partner, service_outcome=outcome
        )
    # Neither a revoked referral nor another organisation's referrals are counted.
    Referral.objects.create(
        case=open_case,
        from_organisation=host_org,
        to_partner=partner,
        status=c.ReferralStatus.REVOKED,
        service_outcome=c.ServiceOutcome.RECEIVED,
    )
    Referral.objects.create(
        case=open_case,
        from_organisation=origin_org,
        to_partner=partner,
        service_outcome=c.ServiceOutcome.RECEIVED,
    )
    html = page(client_for(users[Role.CASEWORKER]), reverse("cases:partners"))
    assert '<span data-outcome="total">5 referrals</span>' in html
    assert '<span data-outcome="received">received 2</span>' in html
    assert '<span data-outcome="not_received">not received 1</span>' in html
    assert '<span data-outcome="declined">declined 1</span>' in html
    assert '<span data-outcome="pending">pending 1</span>' in html


def test_directory_managed_by_supervisors_not_caseworkers(
    users: dict[str, User], host_org: Organisation
) -> None:
    carla = client_for(users[Role.CASEWORKER])
    assert carla.get(reverse("cases:partner_new")).status_code == 403
    sam = client_for(users[Role.SUPERVISOR])
    data = {
        "name": "Asociația Reîntoarcerea",
        "kind": c.PartnerKind.NGO,
        "country": "MD",
        "region": "MD-CU",
        "languages": "ro, ru",
        "phone": "+373 22 000 000",
        "is_active": "on",
    }
    response = sam.post(reverse("cases:partner_new"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    partner = Partner.objects.get(name="Asociația Reîntoarcerea")
    assert partner.languages == ["ro", "ru"] and partner.region == "MD-CU"
    edit = reverse("cases:partner_edit", args=[partner.pk])
    assert carla.get(edit).status_code == 403
    html = page(sam, edit)
    assert "Chișinău" in html  # the region list of the saved country
    bad = sam.post(edit, {**data, "region": "SN-DK"})
    assert bad.status_code == 200 and "Not a region of the chosen country." in bad.content.decode()
    saved = {**data, "services": "Housing advice", "version": partner.version}
    assert sam.post(edit, saved).status_code == 302
    # The same form sent again carries a version that is no longer current: refused.
    again = sam.post(edit, {**saved, "services": "Something else"})
    assert again.status_code == 200 and "Not saved." in again.content.decode()
    partner.refresh_from_db()
    assert partner.services == "Housing advice"


# Community projects -----------------------------------------------------------------------


def test_community_project_shows_both_counts(
    users: dict[str, User], host_org: Organisation, programme: Programme
) -> None:
    pablo = client_for(users[Role.PROGRAMME_MANAGER])
    response = pablo.post(
        reverse("cases:project_new"),
        {
            "name": "Irrigation in Cahul",
            "country": "MD",
            "region": "MD-CA",
            "programme": str(programme.pk),
            "currency": "MDL",
            "budget": "450000",
            "returnees_served": "12",
            "non_migrants_served": "36",
            "starts_on": "2025-03-01",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    project = CommunityProject.objects.get(name="Irrigation in Cahul")
    assert project.currency == "MDL" and project.budget == Decimal("450000.00")
    html = page(client_for(users[Role.CASEWORKER]), reverse("cases:projects"))
    assert "Irrigation in Cahul" in html and "AVRR Moldova" in html
    assert '<td class="num" data-served="returnees">12</td>' in html
    assert '<td class="num" data-served="non_migrants">36</td>' in html
    assert "75 %" in html
    assert "450,000.00 MDL" in html
    # Only those who manage programmes edit projects.
    carla = client_for(users[Role.CASEWORKER])
    assert carla.get(reverse("cases:project_edit", args=[project.pk])).status_code == 403
    assert carla.get(reverse("cases:project_new")).status_code == 403
    edit = reverse("cases:project_edit", args=[project.pk])
    html = page(pablo, edit)
    assert 'value="36"' in html
    data = {
        "name": "Irrigation in Cahul",
        "country": "MD",
        "currency": "MDL",
        "budget": "450000",
        "returnees_served": "15",
        "non_migrants_served": "40",
        "version": str(project.version),
    }
    assert pablo.post(edit, data).status_code == 302
    stale = pablo.post(edit, {**data, "returnees_served": "99"})
    assert (
        stale.status_code == 200 and "Somebody else changed this record" in stale.content.decode()
    )
    project.refresh_from_db()
    assert project.returnees_served == 15


# Languages and roles ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "expected"),
    [("fr", ("Moldavie", "Filtres", 'lang="fr"')), ("es", ("Moldavia", "Filtros", 'lang="es"'))],
)
def test_pages_render_in_french_and_spanish(
    language: str,
    expected: tuple[str, ...],
    users: dict[str, User],
    host_org: Organisation,
    programme: Programme,
) -> None:
    programme.origin_countries = ["MD"]
    programme.save()
    make_partner(host_org, "Centrul de Formare", "MD", c.PartnerKind.TRAINING)
    CommunityProject.objects.create(organisation=host_org, name="Irrigation", country="MD")
    client = client_for(users[Role.PROGRAMME_MANAGER], language)
    urls = [
        reverse("cases:programmes"),
        reverse("cases:programme_detail", args=[programme.pk]),
        reverse("cases:programme_new"),
        reverse("cases:programme_edit", args=[programme.pk]),
        reverse("cases:partners"),
        reverse("cases:partner_new"),
        reverse("cases:projects"),
        reverse("cases:project_new"),
    ]
    pages = [page(client, url) for url in urls]
    assert all(expected[2] in html for html in pages)
    assert expected[0] in pages[0] and expected[0] in pages[1]
    assert expected[1] in pages[4]
    assert programme.starts_on is None  # nothing to localise; a dated one follows
    programme.starts_on = datetime.date(2025, 4, 1)
    programme.save()
    month = {"fr": "avril", "es": "abril"}[language]
    assert month in page(client, reverse("cases:programme_detail", args=[programme.pk]))


def test_statistician_sees_no_personal_data(
    users: dict[str, User], programme: Programme, person: Person, open_case: Case, host_org: Any
) -> None:
    partner = make_partner(host_org, "Centrul de Formare", "MD", c.PartnerKind.TRAINING)
    Referral.objects.create(case=open_case, from_organisation=host_org, to_partner=partner)
    stan = users[Role.STATISTICIAN]
    client = client_for(stan)
    html = page(
        client, reverse("cases:programme_detail", args=[programme.pk]), person=person.pk, q="Kam"
    )
    assert "Checking a person needs access to the registry of people" in html
    assert 'name="person"' not in html
    assert "Amina" not in html and "Kamara" not in html
    for url in (reverse("cases:programmes"), reverse("cases:partners"), reverse("cases:projects")):
        html = page(client, url)
        assert "Amina" not in html and "Kamara" not in html and open_case.reference not in html
    assert not AuditEvent.objects.filter(actor=stan, entity_type="registry.person").exists()
    assert client.get(reverse("cases:programme_new")).status_code == 403
    # A programme's assistance catalogue entries are offered to those who manage it only.
    assert ProgrammeAssistance.objects.filter(programme=programme).count() == 4
