"""review observations: outcomes observed against a counterfactual (issue 24)

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('review_observations',
    sa.Column('review_id', sa.Integer(), nullable=False),
    sa.Column('measure_id', sa.String(length=200), nullable=False),
    sa.Column('events', sa.Integer(), nullable=False),
    sa.Column('comparison_people', sa.Integer(), nullable=True),
    sa.Column('comparison_events', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['review_id'], ['reviews.id'], name=op.f('fk_review_observations_review_id_reviews')),
    sa.PrimaryKeyConstraint('review_id', 'measure_id', name=op.f('pk_review_observations'))
    )


def downgrade() -> None:
    op.drop_table('review_observations')
