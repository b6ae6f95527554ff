"""Archive imports: the origin of imported competitions

Revision ID: 538a1569a582
Revises: 1dd00214019f
Create Date: 2026-11-21 13:40:59.122832

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "538a1569a582"
down_revision = "1dd00214019f"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "archive_imports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("competition_id", sa.Integer(), nullable=False),
        sa.Column("origin", sa.String(length=64), nullable=False),
        sa.Column("source_installation", sa.String(length=200), nullable=False),
        sa.Column("source_competition_id", sa.Integer(), nullable=False),
        sa.Column("schema_version", sa.String(length=64), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("exported_at", sa.DateTime(), nullable=False),
        sa.Column("imported_at", sa.DateTime(), nullable=False),
        sa.Column("imported_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["competition_id"], ["competitions.id"], name=op.f("fk_archive_imports_competition_id_competitions")
        ),
        sa.ForeignKeyConstraint(["imported_by_id"], ["users.id"], name=op.f("fk_archive_imports_imported_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_archive_imports")),
        sa.UniqueConstraint("competition_id", name=op.f("uq_archive_imports_competition_id")),
        sa.UniqueConstraint("origin", name=op.f("uq_archive_imports_origin")),
    )


def downgrade():
    op.drop_table("archive_imports")
