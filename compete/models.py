"""Imports every domain's tables so that metadata, migrations and relationships see them all."""

from compete.accounts.models import User  # noqa: F401
from compete.audit.models import AuditEntry  # noqa: F401
from compete.competitions.models import Competition, Criterion, Event  # noqa: F401
from compete.people.models import Person, Region, Unit  # noqa: F401
from compete.registration.models import Registration  # noqa: F401
