"""initial schema: scenario documents, logic models, plans, reviews

Revision ID: 0001
Revises: (none)
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('logic_models',
    sa.Column('id', sa.String(length=128), nullable=False),
    sa.Column('model_id', sa.String(length=200), nullable=False),
    sa.Column('canonical_json', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_logic_models'))
    )
    with op.batch_alter_table('logic_models', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_logic_models_model_id'), ['model_id'], unique=False)

    op.create_table('scenario_documents',
    sa.Column('id', sa.String(length=128), nullable=False),
    sa.Column('canonical_json', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_scenario_documents'))
    )
    op.create_table('plans',
    sa.Column('id', sa.String(length=200), nullable=False),
    sa.Column('name', sa.String(length=500), nullable=False),
    sa.Column('definition_json', sa.Text(), nullable=False),
    sa.Column('scenario_id', sa.String(length=128), nullable=True),
    sa.Column('logic_model_id', sa.String(length=128), nullable=True),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=False),
    sa.Column('created_by', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['logic_model_id'], ['logic_models.id'], name=op.f('fk_plans_logic_model_id_logic_models')),
    sa.ForeignKeyConstraint(['scenario_id'], ['scenario_documents.id'], name=op.f('fk_plans_scenario_id_scenario_documents')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plans'))
    )
    op.create_table('reviews',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('plan_id', sa.String(length=200), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('people_supported', sa.Integer(), nullable=False),
    sa.Column('money_spent', sa.Numeric(precision=16, scale=2, asdecimal=False), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('recorded_by', sa.String(length=200), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['plan_id'], ['plans.id'], name=op.f('fk_reviews_plan_id_plans')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reviews')),
    sa.UniqueConstraint('plan_id', 'number', name=op.f('uq_reviews_plan_id'))
    )
    with op.batch_alter_table('reviews', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reviews_plan_id'), ['plan_id'], unique=False)

    op.create_table('recommendations',
    sa.Column('review_id', sa.Integer(), nullable=False),
    sa.Column('decision', sa.String(length=40), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('prob_saving', sa.Float(), nullable=False),
    sa.Column('expected_npv', sa.Float(), nullable=False),
    sa.Column('details_json', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['review_id'], ['reviews.id'], name=op.f('fk_recommendations_review_id_reviews')),
    sa.PrimaryKeyConstraint('review_id', name=op.f('pk_recommendations'))
    )
    op.create_table('review_outcomes',
    sa.Column('review_id', sa.Integer(), nullable=False),
    sa.Column('outcome_id', sa.String(length=200), nullable=False),
    sa.Column('achieved', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['review_id'], ['reviews.id'], name=op.f('fk_review_outcomes_review_id_reviews')),
    sa.PrimaryKeyConstraint('review_id', 'outcome_id', name=op.f('pk_review_outcomes'))
    )


def downgrade() -> None:
    op.drop_table('review_outcomes')
    op.drop_table('recommendations')
    with op.batch_alter_table('reviews', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reviews_plan_id'))

    op.drop_table('reviews')
    op.drop_table('plans')
    op.drop_table('scenario_documents')
    with op.batch_alter_table('logic_models', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_logic_models_model_id'))

    op.drop_table('logic_models')
