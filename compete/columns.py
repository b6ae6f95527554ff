"""Column types shared by the domain models: exact decimals and string-valued enums."""

import enum
from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import Enum, Numeric, String
from sqlalchemy.types import TypeDecorator


class ExactDecimal(TypeDecorator):
    """Numeric on PostgreSQL; canonical text on SQLite, whose NUMERIC would round-trip via float.

    Marks and scores are the users' trust, so no value may ever pass through a binary float.
    """

    impl = Numeric
    cache_ok = True

    def __init__(self, precision: int, scale: int):
        super().__init__(precision=precision, scale=scale, asdecimal=True)
        self.scale = scale
        self.quantum = Decimal(1).scaleb(-scale)

    def load_dialect_impl(self, dialect):
        if dialect.name == "sqlite":
            return dialect.type_descriptor(String(self.impl.precision + 2))
        return dialect.type_descriptor(Numeric(self.impl.precision, self.scale, asdecimal=True))

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        exact = Decimal(value).quantize(self.quantum)
        return str(exact) if dialect.name == "sqlite" else exact

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return Decimal(value).quantize(self.quantum)


def enum_column(enum_class: type[enum.Enum]) -> Enum:
    """Store an enum by its value (readable in SQL and exports), checked by the database."""
    return Enum(
        enum_class,
        native_enum=False,
        create_constraint=True,
        length=32,
        values_callable=lambda members: [member.value for member in members],
        name=enum_class.__name__.lower(),
    )


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def local_now(zone: str = "Asia/Shanghai") -> datetime:
    """Wall-clock time where the bureau is: registration windows are typed in that time."""
    from zoneinfo import ZoneInfo

    return datetime.now(ZoneInfo(zone)).replace(tzinfo=None)
