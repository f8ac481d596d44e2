"""The report's working definitions of return migration, shown in the application.

Source: the annex "Selected definitions" of the policy report Retorno
implements (shared/reference, English part); the French and Spanish texts in
the catalogues follow the report's own French and Spanish editions. The
report notes that these definitions are working definitions for conceptual
clarity, not binding ones.
"""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Term:
    slug: str
    name: Promise
    definition: Promise


TERMS: tuple[Term, ...] = (
    Term(
        "return-migration",
        _("Return migration"),
        _(
            "The movement of a person returning to their country of origin or habitual "
            "residence, usually after spending at least one year in another country. The "
            "return may or may not be voluntary, and includes voluntary repatriation."
        ),
    ),
    Term(
        "physical-return",
        _("Physical return"),
        _(
            "The geographical movement of a person from the destination country to their "
            "country of origin or habitual residence. It may be permanent or temporary, "
            "voluntary or forced."
        ),
    ),
    Term(
        "virtual-return",
        _("Virtual return"),
        _(
            "A return without moving: migrants transfer skills and knowledge to their "
            "country of origin while staying in the destination country, for example by "
            "teaching students at home at a distance."
        ),
    ),
    Term(
        "permanent-return",
        _("Permanent return"),
        _(
            "An intended definitive return: once back, the person usually settles and "
            "reintegrates, and travels to the former destination country only for tourism "
            "or business."
        ),
    ),
    Term(
        "temporary-return",
        _("Temporary return"),
        _("A return for a limited period, after which the person may emigrate again."),
    ),
    Term(
        "circular-return",
        _("Circular return"),
        _(
            "Temporary return within circular migration: repeated movement back and forth "
            "between the destination country and the country of origin."
        ),
    ),
    Term(
        "voluntary-return",
        _("Voluntary return"),
        _(
            "A return to the country of origin, transit or a third country based on the "
            "free will and well-informed decision of the person, without coercion. It is "
            "either spontaneous or assisted."
        ),
    ),
    Term(
        "spontaneous-return",
        _("Spontaneous voluntary return"),
        _(
            "A voluntary return that the person initiates and carries out without any "
            "involvement of States or other national or international actors."
        ),
    ),
    Term(
        "assisted-return",
        _("Assisted voluntary return"),
        _(
            "A voluntary return in which the person receives financial or logistical "
            "support, and sometimes reintegration assistance, from a State or another "
            "national or international actor."
        ),
    ),
    Term(
        "forced-return",
        _("Forced return"),
        _(
            "A return carried out by government authorities under national law enforcement "
            "procedures, when the person has not left by their own means or with assistance "
            "before the deadline set by an administrative or judicial order to leave."
        ),
    ),
    Term(
        "reintegration",
        _("Reintegration"),
        _(
            "The economic, social and psychosocial re-inclusion of a returnee. It is "
            "sustainable when the returnee is self-reliant and staying is a choice rather "
            "than a necessity."
        ),
    ),
    Term(
        "country-of-origin",
        _("Country of origin"),
        _("The country a migrant comes from, and to which a return is made."),
    ),
    Term(
        "country-of-destination",
        _("Country of destination (host country)"),
        _("The country where a migrant lived abroad before returning."),
    ),
    Term(
        "diaspora",
        _("Diaspora"),
        _(
            "Nationals and people of a country's origin who live abroad and keep ties with "
            "it; they may contribute through virtual or temporary return."
        ),
    ),
)

# Hints shown next to the choices of the three axes of a return event.
CHOICE_HINTS: dict[str, Promise] = {
    "physical": TERMS[1].definition,
    "virtual": TERMS[2].definition,
    "permanent": TERMS[3].definition,
    "temporary": TERMS[4].definition,
    "circular": TERMS[5].definition,
    "spontaneous": TERMS[7].definition,
    "assisted": TERMS[8].definition,
    "forced": TERMS[9].definition,
}
