"""review outcomes: the council's own cost data per outcome (issue 24)

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('review_outcomes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('local_saving', sa.Numeric(precision=16, scale=2, asdecimal=False), nullable=True))
        batch_op.add_column(sa.Column('local_cases', sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('review_outcomes', schema=None) as batch_op:
        batch_op.drop_column('local_cases')
        batch_op.drop_column('local_saving')
