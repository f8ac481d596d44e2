"""Build registry records for tests without going through the audited services."""

import datetime
from typing import Any

from retorno.accounts.models import Organisation
from retorno.registry import choices as c
from retorno.registry.models import Person, ReturnEvent
from retorno.registry.services import person_key_rows


def make_person(organisation: Organisation, **fields: Any) -> Person:
    values: dict[str, Any] = {
        "given_name": "Amina",
        "family_name": "Kamara",
        "sex": c.Sex.FEMALE,
        "date_of_birth": datetime.date(1990, 4, 12),
    }
    values.update(fields)
    person = Person.objects.create(organisation=organisation, **values)
    from retorno.registry.models import PersonNameKey

    PersonNameKey.objects.bulk_create(person_key_rows(person))
    return person


def make_return(person: Person, **fields: Any) -> ReturnEvent:
    values: dict[str, Any] = {
        "from_country": "NL",
        "to_country": "SL",
        "return_date": datetime.date(2024, 3, 1),
        "mode": c.ReturnMode.PHYSICAL,
        "permanence": c.Permanence.PERMANENT,
        "voluntariness": c.Voluntariness.SPONTANEOUS,
    }
    values.setdefault("sex", person.sex)
    values.update(fields)
    return ReturnEvent.objects.create(
        organisation_id=person.organisation_id, person=person, **values
    )
