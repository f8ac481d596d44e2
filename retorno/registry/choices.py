"""The registry's vocabularies, in the words of the report's annex.

Each choice has a translated label; the typology axes also carry a hint taken
from the glossary (retorno.core.glossary), shown next to the choice in forms.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Sex(models.TextChoices):
    FEMALE = "female", _("female")
    MALE = "male", _("male")
    OTHER = "other", _("other")
    UNKNOWN = "unknown", _("not known")


class DatePrecision(models.TextChoices):
    EXACT = "exact", _("exact date")
    YEAR_MONTH = "year_month", _("year and month")
    YEAR = "year", _("year only")
    ESTIMATED = "estimated", _("estimated")


class FamilyStatus(models.TextChoices):
    SINGLE = "single", _("single")
    MARRIED = "married", _("married")
    PARTNERSHIP = "partnership", _("in a partnership")
    SEPARATED = "separated", _("separated")
    DIVORCED = "divorced", _("divorced")
    WIDOWED = "widowed", _("widowed")
    UNKNOWN = "unknown", _("not known")


class EducationLevel(models.TextChoices):
    """ISCED 2011 levels (UNESCO Institute for Statistics)."""

    EARLY_CHILDHOOD = "isced0", _("ISCED 0 – early childhood education")
    PRIMARY = "isced1", _("ISCED 1 – primary education")
    LOWER_SECONDARY = "isced2", _("ISCED 2 – lower secondary education")
    UPPER_SECONDARY = "isced3", _("ISCED 3 – upper secondary education")
    POST_SECONDARY = "isced4", _("ISCED 4 – post-secondary non-tertiary education")
    SHORT_TERTIARY = "isced5", _("ISCED 5 – short-cycle tertiary education")
    BACHELOR = "isced6", _("ISCED 6 – bachelor's or equivalent")
    MASTER = "isced7", _("ISCED 7 – master's or equivalent")
    DOCTORAL = "isced8", _("ISCED 8 – doctoral or equivalent")
    NONE = "none", _("no formal education")
    UNKNOWN = "unknown", _("not known")


class EducationField(models.TextChoices):
    """ISCED-F 2013 broad fields of education."""

    GENERIC = "00", _("generic programmes and qualifications")
    EDUCATION = "01", _("education")
    ARTS = "02", _("arts and humanities")
    SOCIAL = "03", _("social sciences, journalism and information")
    BUSINESS = "04", _("business, administration and law")
    SCIENCES = "05", _("natural sciences, mathematics and statistics")
    ICT = "06", _("information and communication technologies")
    ENGINEERING = "07", _("engineering, manufacturing and construction")
    AGRICULTURE = "08", _("agriculture, forestry, fisheries and veterinary")
    HEALTH = "09", _("health and welfare")
    SERVICES = "10", _("services")


class IscoMajorGroup(models.TextChoices):
    """ISCO-08 major groups (International Labour Organization)."""

    MANAGERS = "1", _("managers")
    PROFESSIONALS = "2", _("professionals")
    TECHNICIANS = "3", _("technicians and associate professionals")
    CLERICAL = "4", _("clerical support workers")
    SERVICE_SALES = "5", _("service and sales workers")
    AGRICULTURE = "6", _("skilled agricultural, forestry and fishery workers")
    CRAFT = "7", _("craft and related trades workers")
    OPERATORS = "8", _("plant and machine operators and assemblers")
    ELEMENTARY = "9", _("elementary occupations")
    ARMED_FORCES = "0", _("armed forces occupations")


# ISCO-08 skill level of each major group (ILO, ISCO-08 vol. 1, table 1).
ISCO_SKILL_LEVEL: dict[str, int] = {
    "1": 4,
    "2": 4,
    "3": 3,
    "4": 2,
    "5": 2,
    "6": 2,
    "7": 2,
    "8": 2,
    "9": 1,
    "0": 2,
}


class Vulnerability(models.TextChoices):
    UNACCOMPANIED_CHILD = "unaccompanied_child", _("unaccompanied or separated child")
    HEALTH_CONDITION = "health_condition", _("health condition")
    DISABILITY = "disability", _("disability")
    OLDER_PERSON = "older_person", _("older person")
    PREGNANCY = "pregnancy", _("pregnancy")
    TRAFFICKING = "trafficking", _("victim of trafficking")
    GBV = "gbv", _("survivor of gender-based violence")
    SINGLE_PARENT = "single_parent", _("single parent")


class HouseholdRole(models.TextChoices):
    HEAD = "head", _("head of household")
    SPOUSE = "spouse", _("spouse or partner")
    CHILD = "child", _("child")
    PARENT = "parent", _("parent")
    OTHER_RELATIVE = "other_relative", _("other relative")
    OTHER = "other", _("other")


class DocumentKind(models.TextChoices):
    PASSPORT = "passport", _("passport")
    NATIONAL_ID = "national_id", _("national identity card")
    TRAVEL_DOCUMENT = "travel_document", _("travel document")
    LAISSEZ_PASSER = "laissez_passer", _("laissez-passer")
    BIRTH_CERTIFICATE = "birth_certificate", _("birth certificate")
    CONSULAR_CARD = "consular_card", _("consular registration card")
    RESIDENCE_PERMIT = "residence_permit", _("residence permit")
    OTHER = "other", _("other document")


class ContactKind(models.TextChoices):
    PHONE = "phone", _("phone")
    EMAIL = "email", _("e-mail")
    ADDRESS = "address", _("postal address")
    MESSAGING = "messaging", _("messaging app")


class ConsentPurpose(models.TextChoices):
    REGISTRATION = "registration", _("registration of the return")
    CASE_MANAGEMENT = "case_management", _("case management and assistance")
    REFERRAL = "referral", _("referral to another organisation")
    FOLLOW_UP = "follow_up", _("follow-up surveys")
    SKILLS_ROSTER = "skills_roster", _("skills roster and matching")
    STATISTICS = "statistics", _("statistics and record linkage")
    CONTACT = "contact", _("being contacted with information")


class ConsentStatus(models.TextChoices):
    GIVEN = "given", _("given")
    WITHDRAWN = "withdrawn", _("withdrawn")
    REFUSED = "refused", _("refused")


class ConsentChannel(models.TextChoices):
    WRITTEN = "written", _("signed form")
    ORAL = "oral", _("oral, witnessed")
    ELECTRONIC = "electronic", _("electronic")


class StatusAbroad(models.TextChoices):
    REGULAR_WORKER = "regular_worker", _("regular worker")
    STUDENT = "student", _("student")
    ASYLUM_SEEKER = "asylum_seeker", _("asylum seeker")
    REJECTED_ASYLUM_SEEKER = "rejected_asylum_seeker", _("rejected asylum seeker")
    IRREGULAR = "irregular", _("irregular")
    FAMILY = "family", _("family member")
    OTHER = "other", _("other")


class ReturnMode(models.TextChoices):
    PHYSICAL = "physical", _("physical return")
    VIRTUAL = "virtual", _("virtual return")


class Permanence(models.TextChoices):
    PERMANENT = "permanent", _("permanent return")
    TEMPORARY = "temporary", _("temporary return")
    CIRCULAR = "circular", _("circular return")


class Voluntariness(models.TextChoices):
    SPONTANEOUS = "spontaneous", _("spontaneous voluntary return")
    ASSISTED = "assisted", _("assisted voluntary return")
    FORCED = "forced", _("forced return")


class ReturnReason(models.TextChoices):
    FAMILY = "family", _("family")
    END_OF_CONTRACT = "end_of_contract", _("end of contract or studies")
    GOAL_ACHIEVED = "goal_achieved", _("goal achieved")
    DIFFICULTY_ABROAD = "difficulty_abroad", _("difficulty abroad")
    OPPORTUNITY_AT_HOME = "opportunity_at_home", _("opportunity at home")
    RETIREMENT = "retirement", _("retirement")
    ORDER_TO_LEAVE = "order_to_leave", _("order to leave")
    HEALTH = "health", _("health")
    OTHER = "other", _("other")


class IntendedStay(models.TextChoices):
    UNDER_3_MONTHS = "under_3_months", _("less than 3 months")
    MONTHS_3_12 = "3_to_12_months", _("3 to 12 months")
    YEARS_1_5 = "1_to_5_years", _("1 to 5 years")
    OVER_5_YEARS = "over_5_years", _("more than 5 years")
    FOR_GOOD = "for_good", _("for good")
    UNDECIDED = "undecided", _("undecided")


class AssetsBracket(models.TextChoices):
    """Declared savings and assets brought back, in US dollar equivalent."""

    NONE = "none", _("none")
    UNDER_1K = "under_1k", _("under 1,000 USD")
    FROM_1K_TO_5K = "1k_to_5k", _("1,000 to 5,000 USD")
    FROM_5K_TO_20K = "5k_to_20k", _("5,000 to 20,000 USD")
    OVER_20K = "over_20k", _("over 20,000 USD")
    NOT_DECLARED = "not_declared", _("not declared")


class FactSource(models.TextChoices):
    SELF_DECLARED = "self_declared", _("declared by the person")
    DOCUMENT = "document", _("seen on a document")
    BORDER_RECORD = "border_record", _("border or airport record")
    ADMINISTRATIVE = "administrative", _("administrative record")
    PARTNER = "partner", _("reported by a partner")
    IMPORT = "import", _("imported file")
    ESTIMATED = "estimated", _("estimated by the officer")


class AgeGroup(models.TextChoices):
    """Age at return, in the bands used by return statistics."""

    UNDER_18 = "0-17", _("under 18")
    FROM_18 = "18-24", _("18 to 24")
    FROM_25 = "25-34", _("25 to 34")
    FROM_35 = "35-44", _("35 to 44")
    FROM_45 = "45-54", _("45 to 54")
    FROM_55 = "55-64", _("55 to 64")
    OVER_65 = "65-150", _("65 and over")

    @property
    def bounds(self) -> tuple[int, int]:
        low, high = self.value.split("-")
        return int(low), int(high)


# Fields of a return event whose source can be recorded one by one.
SOURCED_FACTS = (
    "return_date",
    "reasons",
    "intended_stay",
    "settlement_area",
    "assets_bracket",
    "voluntariness",
)
