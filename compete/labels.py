"""Translated names for the codes the screens show (roles, groups, schemes, kinds)."""

from flask_babel import get_locale, gettext
from flask_babel import lazy_gettext as _l

from compete.rules import grades, policy
from compete.rules.levels import LEVELS

ROLES = {
    "admin": _l("System administrator"),
    "organizer": _l("Organizer"),
    "chief_judge": _l("Chief judge"),
    "judge": _l("Judge"),
    "encryption_officer": _l("Encryption officer"),
    "supervisor": _l("Supervisor"),
    "unit_contact": _l("Unit contact"),
    "competitor": _l("Competitor"),
}
GROUPS = {"worker": _l("Worker group"), "student": _l("Student group")}
AGGREGATIONS = {
    "mean": _l("Mean of all judges"),
    "trimmed_mean": _l("Trimmed mean (drop highest and lowest)"),
    "median": _l("Median"),
}
AWARD_SCHEMES = {
    "places": _l("Places (1st, 2nd, 3rd)"),
    "medals": _l("Medals (gold, silver, bronze, excellence)"),
    "prize_shares": _l("Prize shares (10% / 20% / 30%)"),
}
CRITERION_KINDS = {
    "measurement": _l("Measurement"),
    "judgement": _l("Judgement (0-3)"),
}
TIE_BREAKS = {
    "total": _l("Total score, higher first"),
    "time": _l("Time used, less first"),
    "practical": _l("Practical score, higher first"),
    "theory": _l("Theory score, higher first"),
}
AWARDS = {
    "gold": _l("Gold"),
    "silver": _l("Silver"),
    "bronze": _l("Bronze"),
    "excellence": _l("Excellence"),
    "first": _l("First place"),
    "second": _l("Second place"),
    "third": _l("Third place"),
    "prize-1": _l("First prize"),
    "prize-2": _l("Second prize"),
    "prize-3": _l("Third prize"),
}
RESULT_STATUSES = {"present": _l("Present"), "absent": _l("Absent"), "disqualified": _l("Disqualified")}
# Why a competitor stands below the one above: the first tie-break key that separated them.
SEPARATED_BY = {
    "total": _l("lower total"),
    "time": _l("equal total, more time used"),
    "practical": _l("equal total and time, lower practical score"),
    "theory": _l("equal up to theory, lower theory score"),
    "arbitration": _l("exact tie, ordered by the arbitration group"),
}
OUTCOME_KINDS = {"title": _l("Title granted"), "nomination": _l("Nominated for"), "promotion": _l("Promotion")}
OUTCOME_STATUSES = {
    "proposed": _l("Proposed: to be confirmed"),
    "confirmed": _l("Recorded"),
    "declined": _l("Declined"),
    "withdrawn": _l("Withdrawn"),
}
OUTCOME_STATUS_STYLES = {"proposed": "warning", "confirmed": "success", "declined": "secondary", "withdrawn": "light"}
# The policy engine's own reasons (compete/rules stays free of translation), by their English wording.
POLICY_REASON_TEXTS = {
    "below the pass mark: no promotion": _l("below the pass mark: no promotion"),
    "one competition promotion per person per calendar year": _l(
        "already promoted by a competition this year: one competition promotion per calendar year"
    ),
    "student groups get one grade less": _l("student groups get one grade less"),
    "holds the target grade or above": _l("already holds the target grade or above: no promotion"),
    "competition promotion stops at the cap": _l("competition promotion stops at the cap"),
    "promotion held at the cap": _l("promotion held at the cap"),
    "not ranked: absent or disqualified": _l("not ranked: absent or disqualified"),
    "no rule of this policy applies": _l("no rule of this policy applies"),
}


def reason_text(reason) -> str:
    return str(POLICY_REASON_TEXTS.get(reason.text, reason.text))


APPEAL_STATUSES = {"open": _l("Open"), "upheld": _l("Upheld"), "rejected": _l("Rejected")}
UNIT_KINDS = {"employer": _l("Employer"), "school": _l("School"), "other": _l("Other")}
GENDERS = {"male": _l("Male"), "female": _l("Female")}
REGION_LEVELS = {"province": _l("Province"), "city": _l("City"), "county": _l("County or district")}


def label(table: dict, code) -> str:
    """The translated name of a code, or the code itself when it has none (never a crash)."""
    key = getattr(code, "value", code)
    return str(table.get(key, key)) if key is not None else ""


def choices(table: dict) -> list[tuple[str, str]]:
    return list(table.items())


def is_chinese() -> bool:
    return get_locale().language == "zh"


def localized(named) -> str:
    """The Chinese or English name of a plain-data domain item (a grade, a level, a preset)."""
    if named is None:
        return ""
    return named.name_zh if is_chinese() else named.name_en


def grade_choices(blank_label=None) -> list[tuple[str, str]]:
    """The grade ladder for a select box; with blank_label, an empty first choice."""
    ladder = [(grade.code, localized(grade)) for grade in (grades.get(code) for code in grades.GRADE_CODES)]
    return [("", str(blank_label)), *ladder[1:]] if blank_label else ladder


def level_choices() -> list[tuple[str, str]]:
    return [("", str(_l("Choose…"))), *[(level.code, localized(level)) for level in LEVELS]]


def own_policy_name(own) -> str:
    names = own.data["name"]
    return f"{names['zh'] if is_chinese() else names['en']} (v{own.version})"


def preset_choices(own_policies=()) -> list[tuple[str, str]]:
    """The presets, then the organizer's own policies."""
    presets = [(preset.id, localized(preset)) for preset in policy.presets()]
    return [("", str(_l("Choose…"))), *presets, *[(own.key, own_policy_name(own)) for own in own_policies]]


def level_name(code: str) -> str:
    return next((localized(level) for level in LEVELS if level.code == code), code)


def preset_name(preset_id: str) -> str:
    if preset_id.startswith("own-"):
        from compete.extensions import db
        from compete.honours.models import OwnPolicy

        own = db.session.get(OwnPolicy, int(preset_id.removeprefix("own-")))
        return own_policy_name(own) if own is not None else preset_id
    return next((localized(preset) for preset in policy.presets() if preset.id == preset_id), preset_id)


def plain_number(value) -> str:
    """A decimal without trailing zeros or exponent: 100.00 -> 100, 0.300 -> 0.3."""
    if value is None:
        return ""
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def eligibility_summary(event) -> str:
    """One line a reader can check themselves against: ages, grade, regions."""
    parts = []
    if event.min_age and event.max_age:
        parts.append(gettext("aged %(low)d–%(high)d", low=event.min_age, high=event.max_age))
    elif event.min_age:
        parts.append(gettext("aged %(low)d or over", low=event.min_age))
    elif event.max_age:
        parts.append(gettext("aged %(high)d or under", high=event.max_age))
    if event.required_grade:
        parts.append(gettext("holds %(grade)s or higher", grade=localized(grades.get(event.required_grade))))
    if event.eligible_regions:
        parts.append(gettext("from %(regions)s", regions="、".join(region.name for region in event.eligible_regions)))
    return gettext("; ").join(parts) if parts else gettext("open to all")


REGISTRATION_STATUSES = {
    "submitted": _l("Submitted, awaiting review"),
    "approved": _l("Approved"),
    "rejected": _l("Rejected"),
    "withdrawn": _l("Withdrawn"),
}
REGISTRATION_STATUS_STYLES = {
    "submitted": "warning",
    "approved": "success",
    "rejected": "danger",
    "withdrawn": "secondary",
}
REGISTRATION_SOURCES = {
    "portal": _l("Self-registration"),
    "unit": _l("Entered by the unit"),
    "import": _l("Excel import"),
    "organizer": _l("Entered by the organizer"),
}

CERTIFICATE_KINDS = {
    "award": _l("Award certificate"),
    "honour": _l("Honour certificate"),
    "promotion": _l("Grade promotion certificate"),
    "participation": _l("Participation certificate"),
}
CERTIFICATE_STATUSES = {"valid": _l("Valid"), "revoked": _l("Revoked"), "superseded": _l("Superseded")}
CERTIFICATE_STATUS_STYLES = {"valid": "success", "revoked": "danger", "superseded": "secondary"}
CERTIFICATE_LAYOUTS = {"landscape": _l("A4 landscape"), "portrait": _l("A4 portrait")}
JOB_KINDS = {
    "registration.check": _l("Checking a registration sheet"),
    "registration.import": _l("Importing registrations"),
    "certificates.print": _l("Printing certificates"),
}
JOB_PHASES = {
    "reading": _l("Reading the file"),
    "checking": _l("Checking rows against the registry and the event"),
    "saving": _l("Saving the registrations"),
    "laying_out": _l("Laying out the certificates"),
}
