"""saved scenarios: a stored scenario document with a name and a note, shared by a link (issue 26)

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('saved_scenarios',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('scenario_id', sa.String(length=128), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['scenario_id'], ['scenario_documents.id'], name=op.f('fk_saved_scenarios_scenario_id_scenario_documents')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_saved_scenarios'))
    )
    op.create_index(op.f('ix_saved_scenarios_scenario_id'), 'saved_scenarios', ['scenario_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_saved_scenarios_scenario_id'), table_name='saved_scenarios')
    op.drop_table('saved_scenarios')
