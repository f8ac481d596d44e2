"""What the API reads and writes.

Choice fields are enums of the stored values; next to each, a ``…_label`` field
gives its name in the language asked for by Accept-Language. Countries come with
their names too. Update bodies carry the ``version`` the client last read.
"""

import datetime
from typing import Literal

from ninja import Field, Schema

from retorno.accounts.models import Organisation, OrganisationKind
from retorno.core.geo import country_name, subdivision_name
from retorno.registry import choices as c
from retorno.registry.models import Household, MigrationEpisode, Person, ReturnEvent

Blank = Literal[""]

# --- Common ----------------------------------------------------------------------------


class ErrorOut(Schema):
    """An error: a message, and per field the messages that explain it."""

    detail: str
    errors: dict[str, list[str]] = Field(default_factory=dict)


class ConflictOut(ErrorOut):
    """An edit refused because the record changed since the client read it."""

    current_version: int | None = None


class PageMeta(Schema):
    count: int = Field(description="Number of matching records, up to the cap.")
    count_is_capped: bool = Field(description="True when more records match than count says.")
    limit: int
    offset: int


class PageParams(Schema):
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0, le=1_000_000)


# --- Organisations ----------------------------------------------------------------------


class OrganisationOut(Schema):
    id: int
    name: str
    kind: OrganisationKind
    kind_label: str
    country: str
    country_name: str
    is_active: bool
    permissions: list[str] = Field(description="What you may do in this organisation.")

    @staticmethod
    def resolve_kind_label(obj: Organisation) -> str:
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_country_name(obj: Organisation) -> str:
        return country_name(obj.country)


# --- People -----------------------------------------------------------------------------


class PersonBriefOut(Schema):
    id: int
    organisation: int
    full_name: str
    given_name: str
    family_name: str
    sex: c.Sex
    sex_label: str
    date_of_birth: datetime.date | None
    birth_precision: c.DatePrecision

    @staticmethod
    def resolve_organisation(obj: Person) -> int:
        return obj.organisation_id

    @staticmethod
    def resolve_sex_label(obj: Person) -> str:
        return str(obj.get_sex_display())


class PersonOut(PersonBriefOut):
    office: int | None
    name_original_script: str
    aliases: list[str]
    birth_precision_label: str
    nationalities: list[str]
    languages: list[str]
    education_level: c.EducationLevel
    education_level_label: str
    education_field: c.EducationField | Blank
    education_field_label: str
    occupations: list[str]
    family_status: c.FamilyStatus
    family_status_label: str
    household: int | None
    household_role: c.HouseholdRole | Blank
    household_role_label: str
    vulnerabilities: list[c.Vulnerability]
    source_ref: str
    created_at: datetime.datetime
    updated_at: datetime.datetime
    version: int

    @staticmethod
    def resolve_office(obj: Person) -> int | None:
        return obj.office_id

    @staticmethod
    def resolve_household(obj: Person) -> int | None:
        return obj.household_id

    @staticmethod
    def resolve_birth_precision_label(obj: Person) -> str:
        return str(obj.get_birth_precision_display())

    @staticmethod
    def resolve_education_level_label(obj: Person) -> str:
        return str(obj.get_education_level_display())

    @staticmethod
    def resolve_education_field_label(obj: Person) -> str:
        return str(obj.get_education_field_display()) if obj.education_field else ""

    @staticmethod
    def resolve_family_status_label(obj: Person) -> str:
        return str(obj.get_family_status_display())

    @staticmethod
    def resolve_household_role_label(obj: Person) -> str:
        return str(obj.get_household_role_display()) if obj.household_role else ""


class PersonPage(PageMeta):
    items: list[PersonOut]


class PersonListParams(PageParams):
    q: str = Field("", max_length=100, description="Name, spelling variant or reference.")
    sex: c.Sex | None = None
    household: int | None = None


class PersonCreate(Schema):
    organisation: int | None = Field(
        None, description="Where to register; may be left out if you work for one only."
    )
    office: int | None = None
    given_name: str
    family_name: str = ""
    name_original_script: str = ""
    aliases: list[str] = Field(default_factory=list)
    sex: c.Sex = c.Sex.UNKNOWN
    date_of_birth: datetime.date | None = None
    birth_precision: c.DatePrecision = c.DatePrecision.EXACT
    nationalities: list[str] = Field(default_factory=list, description="ISO 3166-1 codes.")
    languages: list[str] = Field(default_factory=list)
    education_level: c.EducationLevel = c.EducationLevel.UNKNOWN
    education_field: c.EducationField | Blank = ""
    occupations: list[str] = Field(default_factory=list, description="ISCO-08 codes.")
    family_status: c.FamilyStatus = c.FamilyStatus.UNKNOWN
    household: int | None = None
    household_role: c.HouseholdRole | Blank = ""
    vulnerabilities: list[c.Vulnerability] = Field(default_factory=list)
    source_ref: str = ""


class PersonUpdate(Schema):
    """Only the fields sent are changed."""

    version: int = Field(description="The version you read; a newer one gives 409.")
    office: int | None = None
    given_name: str | None = None
    family_name: str | None = None
    name_original_script: str | None = None
    aliases: list[str] | None = None
    sex: c.Sex | None = None
    date_of_birth: datetime.date | None = None
    birth_precision: c.DatePrecision | None = None
    nationalities: list[str] | None = None
    languages: list[str] | None = None
    education_level: c.EducationLevel | None = None
    education_field: c.EducationField | Blank | None = None
    occupations: list[str] | None = None
    family_status: c.FamilyStatus | None = None
    household: int | None = None
    household_role: c.HouseholdRole | Blank | None = None
    vulnerabilities: list[c.Vulnerability] | None = None
    source_ref: str | None = None


class SearchParams(Schema):
    name: str = Field(..., min_length=2, max_length=200)
    date_of_birth: datetime.date | None = None
    limit: int = Field(5, ge=1, le=20)


class CandidateOut(Schema):
    person: PersonBriefOut
    score: float = Field(description="Overall likelihood, 0 to 1.")
    name_score: float
    birth_score: float


# --- Households -------------------------------------------------------------------------


class HouseholdOut(Schema):
    id: int
    organisation: int
    reference: str
    notes: str
    created_at: datetime.datetime
    updated_at: datetime.datetime
    version: int

    @staticmethod
    def resolve_organisation(obj: Household) -> int:
        return obj.organisation_id


class HouseholdPage(PageMeta):
    items: list[HouseholdOut]


class HouseholdListParams(PageParams):
    q: str = Field("", max_length=60, description="Part of the reference.")


class HouseholdCreate(Schema):
    organisation: int | None = None
    reference: str = Field(..., min_length=1, max_length=60)
    notes: str = ""


class HouseholdUpdate(Schema):
    version: int
    reference: str | None = Field(None, min_length=1, max_length=60)
    notes: str | None = None


# --- Migration episodes -----------------------------------------------------------------


class EpisodeOut(Schema):
    id: int
    person: int
    host_country: str
    host_country_name: str
    started_on: datetime.date
    ended_on: datetime.date | None
    status_abroad: c.StatusAbroad
    status_abroad_label: str
    occupation: str
    version: int

    @staticmethod
    def resolve_person(obj: MigrationEpisode) -> int:
        return obj.person_id

    @staticmethod
    def resolve_host_country_name(obj: MigrationEpisode) -> str:
        return country_name(obj.host_country)

    @staticmethod
    def resolve_status_abroad_label(obj: MigrationEpisode) -> str:
        return str(obj.get_status_abroad_display())


class EpisodeCreate(Schema):
    host_country: str = Field(..., description="ISO 3166-1 code.")
    started_on: datetime.date
    ended_on: datetime.date | None = None
    status_abroad: c.StatusAbroad = c.StatusAbroad.OTHER
    occupation: str = Field("", max_length=4, description="ISCO-08 code.")


class EpisodeUpdate(Schema):
    version: int
    host_country: str | None = None
    started_on: datetime.date | None = None
    ended_on: datetime.date | None = None
    status_abroad: c.StatusAbroad | None = None
    occupation: str | None = Field(None, max_length=4)


# --- Return events ----------------------------------------------------------------------


class ReturnOut(Schema):
    id: int
    organisation: int
    person: int
    person_name: str
    office: int | None
    from_country: str
    from_country_name: str
    to_country: str
    to_country_name: str
    return_date: datetime.date
    mode: c.ReturnMode
    mode_label: str
    permanence: c.Permanence
    permanence_label: str
    voluntariness: c.Voluntariness
    voluntariness_label: str
    reasons: list[c.ReturnReason]
    reason_labels: list[str]
    intended_stay: c.IntendedStay
    intended_stay_label: str
    settlement_area: str
    settlement_area_name: str
    settlement_locality: str
    assets_bracket: c.AssetsBracket
    assets_bracket_label: str
    source: c.FactSource
    source_label: str
    fact_sources: dict[str, c.FactSource]
    time_abroad_months: int | None
    age_at_return: int | None
    created_at: datetime.datetime
    updated_at: datetime.datetime
    version: int

    @staticmethod
    def resolve_organisation(obj: ReturnEvent) -> int:
        return obj.organisation_id

    @staticmethod
    def resolve_person(obj: ReturnEvent) -> int:
        return obj.person_id

    @staticmethod
    def resolve_person_name(obj: ReturnEvent) -> str:
        return obj.person.full_name

    @staticmethod
    def resolve_office(obj: ReturnEvent) -> int | None:
        return obj.office_id

    @staticmethod
    def resolve_from_country_name(obj: ReturnEvent) -> str:
        return country_name(obj.from_country)

    @staticmethod
    def resolve_to_country_name(obj: ReturnEvent) -> str:
        return country_name(obj.to_country)

    @staticmethod
    def resolve_mode_label(obj: ReturnEvent) -> str:
        return str(obj.get_mode_display())

    @staticmethod
    def resolve_permanence_label(obj: ReturnEvent) -> str:
        return str(obj.get_permanence_display())

    @staticmethod
    def resolve_voluntariness_label(obj: ReturnEvent) -> str:
        return str(obj.get_voluntariness_display())

    @staticmethod
    def resolve_reason_labels(obj: ReturnEvent) -> list[str]:
        return [str(label) for label in obj.reason_labels()]

    @staticmethod
    def resolve_intended_stay_label(obj: ReturnEvent) -> str:
        return str(obj.get_intended_stay_display())

    @staticmethod
    def resolve_settlement_area_name(obj: ReturnEvent) -> str:
        return subdivision_name(obj.settlement_area) if obj.settlement_area else ""

    @staticmethod
    def resolve_assets_bracket_label(obj: ReturnEvent) -> str:
        return str(obj.get_assets_bracket_display())

    @staticmethod
    def resolve_source_label(obj: ReturnEvent) -> str:
        return str(obj.get_source_display())


class ReturnPage(PageMeta):
    items: list[ReturnOut]


class ReturnListParams(PageParams):
    """The filters of the return list; they mean what they mean on the list page."""

    q: str = Field("", max_length=100, description="Name or reference of the person.")
    from_country: str = Field("", max_length=2, description="ISO 3166-1 code.")
    to_country: str = Field("", max_length=2, description="ISO 3166-1 code.")
    mode: c.ReturnMode | None = None
    permanence: c.Permanence | None = None
    voluntariness: c.Voluntariness | None = None
    sex: c.Sex | None = None
    age_group: c.AgeGroup | None = None
    region: str = Field("", max_length=6, description="ISO 3166-2 code of the settlement area.")
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    person: int | None = None
    organisation: int | None = None


class ReturnCreate(Schema):
    person: int
    office: int | None = None
    from_country: str = Field(..., description="ISO 3166-1 code of the country left.")
    to_country: str = Field(..., description="ISO 3166-1 code of the country returned to.")
    return_date: datetime.date
    mode: c.ReturnMode
    permanence: c.Permanence
    voluntariness: c.Voluntariness
    reasons: list[c.ReturnReason] = Field(default_factory=list)
    intended_stay: c.IntendedStay = c.IntendedStay.UNDECIDED
    settlement_area: str = Field("", description="ISO 3166-2 code.")
    settlement_locality: str = ""
    assets_bracket: c.AssetsBracket = c.AssetsBracket.NOT_DECLARED
    source: c.FactSource = c.FactSource.SELF_DECLARED
    fact_sources: dict[str, c.FactSource] = Field(default_factory=dict)


class ReturnUpdate(Schema):
    version: int
    office: int | None = None
    from_country: str | None = None
    to_country: str | None = None
    return_date: datetime.date | None = None
    mode: c.ReturnMode | None = None
    permanence: c.Permanence | None = None
    voluntariness: c.Voluntariness | None = None
    reasons: list[c.ReturnReason] | None = None
    intended_stay: c.IntendedStay | None = None
    settlement_area: str | None = None
    settlement_locality: str | None = None
    assets_bracket: c.AssetsBracket | None = None
    source: c.FactSource | None = None
    fact_sources: dict[str, c.FactSource] | None = None
