"""People, households, migration episodes abroad and return events."""

import datetime
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from retorno.accounts.models import Office, Organisation
from retorno.registry import choices as c


class OwnedRecord(models.Model):
    """A record holding personal data: it has an owning organisation and a version."""

    # Not indexed alone: every model below has a composite index that starts with it,
    # and each extra index slows bulk imports of a million rows.
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    # Incremented by every update; an edit made on an older version is refused.
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        abstract = True


class Household(OwnedRecord):
    reference = models.CharField(_("reference"), max_length=60)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = _("households")
        ordering = ["reference"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "reference"], name="household_unique_reference"
            )
        ]

    def __str__(self) -> str:
        return self.reference


class Person(OwnedRecord):
    # Links to offices and users are not indexed: nobody lists people by them, and
    # every index costs time on each of a million imported rows.
    office = models.ForeignKey(
        Office,
        verbose_name=_("registered at"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    given_name = models.CharField(_("given name"), max_length=120)
    family_name = models.CharField(_("family name"), max_length=120, blank=True)
    name_original_script = models.CharField(
        _("name in original script"), max_length=200, blank=True
    )
    aliases = models.JSONField(_("other names and spellings"), default=list, blank=True)
    sex = models.CharField(_("sex"), max_length=10, choices=c.Sex.choices, default=c.Sex.UNKNOWN)
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    birth_precision = models.CharField(
        _("precision of the date of birth"),
        max_length=12,
        choices=c.DatePrecision.choices,
        default=c.DatePrecision.EXACT,
    )
    nationalities = models.JSONField(_("nationalities"), default=list, blank=True)
    languages = models.JSONField(_("languages"), default=list, blank=True)
    education_level = models.CharField(
        _("education level (ISCED 2011)"),
        max_length=10,
        choices=c.EducationLevel.choices,
        default=c.EducationLevel.UNKNOWN,
    )
    education_field = models.CharField(
        _("field of education (ISCED-F 2013)"),
        max_length=2,
        choices=c.EducationField.choices,
        blank=True,
    )
    occupations = models.JSONField(_("occupations (ISCO-08 codes)"), default=list, blank=True)
    family_status = models.CharField(
        _("family status"),
        max_length=12,
        choices=c.FamilyStatus.choices,
        default=c.FamilyStatus.UNKNOWN,
    )
    household = models.ForeignKey(
        Household,
        verbose_name=_("household"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="members",
        db_index=False,  # see person_household_idx: most people have no household
    )
    household_role = models.CharField(
        _("role in household"), max_length=20, choices=c.HouseholdRole.choices, blank=True
    )
    vulnerabilities = models.JSONField(_("vulnerabilities"), default=list, blank=True)
    source_ref = models.CharField(
        _("reference in the source system"),
        max_length=80,
        blank=True,
        help_text=_("The identifier another system or file gives this person."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["family_name", "given_name", "id"]
        indexes = [
            models.Index(
                fields=["organisation", "family_name", "given_name"], name="person_org_name_idx"
            ),
            # Partial: a person without a household (most of them, and every imported one)
            # costs the index nothing.
            models.Index(
                fields=["household"],
                condition=models.Q(household__isnull=False),
                name="person_household_idx",
            ),
            models.Index(fields=["date_of_birth"], name="person_dob_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "source_ref"],
                condition=~models.Q(source_ref=""),
                name="person_unique_source_ref",
            )
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.given_name, self.family_name) if part)

    def age_on(self, day: datetime.date) -> int | None:
        """Return the age in whole years on the given day, if the birth date is known."""
        return age_on(self.date_of_birth, day)


def age_on(birth: datetime.date | None, day: datetime.date) -> int | None:
    if birth is None:
        return None
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


class PersonNameKey(models.Model):
    """Search keys for one person: phonetic skeletons of each name, with the birth year.

    The arrival desk looks people up by these keys rather than by scanning names.
    """

    # Indexed with the key below rather than alone: a list checks "has this person a
    # name with this key" for each record it reads.
    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="name_keys", db_index=False
    )
    organisation_id: int
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    key = models.CharField(max_length=40)
    birth_year = models.PositiveSmallIntegerField(null=True)

    class Meta:
        indexes = [
            models.Index(fields=["key", "birth_year"], name="namekey_key_year_idx"),
            models.Index(fields=["person", "key"], name="namekey_person_key_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.key} {self.birth_year or ''}"


class IdentityDocument(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("kind"), max_length=20, choices=c.DocumentKind.choices)
    number = models.CharField(_("number"), max_length=60)
    issuing_country = models.CharField(_("issuing country"), max_length=2, blank=True)
    expires_on = models.DateField(_("expires"), null=True, blank=True)

    class Meta:
        verbose_name = _("identity document")
        verbose_name_plural = _("identity documents")
        indexes = [models.Index(fields=["number"], name="iddoc_number_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number}"


class Contact(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="contacts")
    kind = models.CharField(_("kind"), max_length=12, choices=c.ContactKind.choices)
    value = models.CharField(_("value"), max_length=200)
    is_preferred = models.BooleanField(_("preferred"), default=False)

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.value}"


class Consent(models.Model):
    """One consent decision; the latest per purpose is the one in force."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="consents")
    purpose = models.CharField(_("purpose"), max_length=20, choices=c.ConsentPurpose.choices)
    status = models.CharField(_("decision"), max_length=10, choices=c.ConsentStatus.choices)
    channel = models.CharField(
        _("how it was given"),
        max_length=12,
        choices=c.ConsentChannel.choices,
        default=c.ConsentChannel.WRITTEN,
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        ordering = ["-recorded_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()}: {self.get_status_display()}"


class MigrationEpisode(models.Model):
    """A period the person lived abroad."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="episodes")
    host_country = models.CharField(_("host country"), max_length=2)
    started_on = models.DateField(_("from"))
    ended_on = models.DateField(_("to"), null=True, blank=True)
    status_abroad = models.CharField(
        _("status abroad"),
        max_length=30,
        choices=c.StatusAbroad.choices,
        default=c.StatusAbroad.OTHER,
    )
    occupation = models.CharField(_("occupation abroad (ISCO-08)"), max_length=4, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("migration episode")
        verbose_name_plural = _("migration episodes")
        ordering = ["started_on"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ended_on__isnull=True)
                | models.Q(ended_on__gte=models.F("started_on")),
                name="episode_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.host_country} {self.started_on}–{self.ended_on or ''}"

    def months(self, until: datetime.date) -> int:
        end = min(self.ended_on or until, until)
        return max(0, (end.year - self.started_on.year) * 12 + end.month - self.started_on.month)


class ReturnEvent(OwnedRecord):
    """One return: the three independent axes of the report's typology, and the facts."""

    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.CASCADE, related_name="returns"
    )
    office = models.ForeignKey(
        Office,
        verbose_name=_("registered at"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    from_country = models.CharField(_("returned from"), max_length=2)
    to_country = models.CharField(_("returned to"), max_length=2)
    return_date = models.DateField(_("date of return"))
    mode = models.CharField(_("mode"), max_length=10, choices=c.ReturnMode.choices)
    permanence = models.CharField(_("permanence"), max_length=10, choices=c.Permanence.choices)
    voluntariness = models.CharField(
        _("voluntariness"), max_length=12, choices=c.Voluntariness.choices
    )
    reasons = models.JSONField(_("reasons for return"), default=list, blank=True)
    intended_stay = models.CharField(
        _("intended length of stay"),
        max_length=16,
        choices=c.IntendedStay.choices,
        default=c.IntendedStay.UNDECIDED,
    )
    settlement_area = models.CharField(
        _("settlement area"), max_length=6, blank=True, help_text=_("ISO 3166-2 subdivision")
    )
    settlement_locality = models.CharField(_("town or village"), max_length=120, blank=True)
    assets_bracket = models.CharField(
        _("declared savings and assets"),
        max_length=14,
        choices=c.AssetsBracket.choices,
        default=c.AssetsBracket.NOT_DECLARED,
    )
    source = models.CharField(
        _("source of the facts"),
        max_length=16,
        choices=c.FactSource.choices,
        default=c.FactSource.SELF_DECLARED,
    )
    fact_sources = models.JSONField(
        _("sources of single facts"),
        default=dict,
        blank=True,
        help_text=_("Where a fact came from a source other than the main one."),
    )
    # Derived at write time so that lists and statistics filter on plain columns.
    time_abroad_months = models.PositiveIntegerField(
        _("time abroad (months)"), null=True, blank=True
    )
    age_at_return = models.PositiveSmallIntegerField(_("age at return"), null=True, blank=True)
    # The person's sex, copied so that lists and statistics filter returns without a join.
    sex = models.CharField(
        _("sex"), max_length=10, choices=c.Sex.choices, default=c.Sex.UNKNOWN, editable=False
    )
    import_batch = models.ForeignKey(
        "imports.ImportBatch",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    fingerprint = models.CharField(max_length=40, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )

    class Meta:
        verbose_name = _("return event")
        verbose_name_plural = _("return events")
        ordering = ["-return_date", "-id"]
        indexes = [
            # Lists read returns newest first through this index and check the organisation
            # as they go; one index per organisation would cost every imported row more.
            models.Index(fields=["return_date", "id"], name="return_date_idx"),
            models.Index(fields=["to_country", "return_date"], name="return_to_date_idx"),
            models.Index(fields=["voluntariness", "return_date"], name="return_vol_date_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "fingerprint"],
                condition=~models.Q(fingerprint=""),
                name="return_unique_fingerprint",
            )
        ]

    def __str__(self) -> str:
        return f"{self.from_country}→{self.to_country} {self.return_date}"

    def fact_source(self, fact: str) -> str:
        return str(self.fact_sources.get(fact) or self.source)

    def reason_labels(self) -> list[Any]:
        labels = dict(c.ReturnReason.choices)
        return [labels.get(r, r) for r in self.reasons]
