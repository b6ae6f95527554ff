"""Imports every domain's tables so that metadata, migrations and relationships see them all."""

from compete.accounts.models import User  # noqa: F401
from compete.archive.models import ArchiveImport  # noqa: F401
from compete.audit.models import AuditEntry  # noqa: F401

# The batch print registers its job handler on import, as the registration jobs do below.
from compete.certificates import jobs as certificate_jobs  # noqa: F401
from compete.certificates.models import Certificate, Design, Issuer, PrintFile, Seal, Sequence  # noqa: F401
from compete.competitions.models import Competition, Criterion, Event  # noqa: F401
from compete.honours.models import (  # noqa: F401
    Candidate,
    GradeChange,
    HonourTitle,
    Outcome,
    OwnPolicy,
    ReviewScore,
    SelectionRound,
    Target,
    TitleHolding,
)
from compete.jobs.models import Job  # noqa: F401
from compete.people.models import Person, Region, Unit  # noqa: F401

# The registration jobs module registers its job handlers on import: every process that runs jobs knows them.
from compete.registration import jobs as registration_jobs  # noqa: F401
from compete.registration.models import Registration  # noqa: F401
from compete.results.models import Appeal, CompetitionResult, Publication, ResultReview, TieDecision  # noqa: F401
from compete.scoring.models import EntryScore, Mark, MarkSheet, MarkVersion  # noqa: F401
from compete.venue.models import (  # noqa: F401
    DeclaredConflict,
    Draw,
    Entry,
    EventDay,
    Judge,
    JudgeLink,
    PanelSeat,
    StationJudge,
)
