"""ownership: plans, logic models and saved scenarios belong to an organisation; shares with
partner organisations; recorded approvals (issue 27, docs/accounts.md "Ownership")

Rows saved before this revision have no owner (``owner_org`` NULL, no ``logic_model_owners``
row): signed-in users may read them, nobody may change them until an administrator adopts them
(``carescale plans adopt --org ORG``).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

_STAMP = sa.DateTime(timezone=True)
_APPEND_ONLY = "approvals is append-only: its rows are never updated or deleted"


def upgrade() -> None:
    # Plain ADD COLUMN on both databases (SQLite cannot add a constraint to a table, and copying
    # ``plans`` would trip the foreign keys of its reviews): the organisation ids are checked by
    # carescale.accounts when written.
    op.add_column('plans', sa.Column('owner_org', sa.String(length=64), nullable=True))
    op.add_column('plans', sa.Column('public', sa.Boolean(), nullable=False, server_default=sa.false()))
    op.create_index(op.f('ix_plans_owner_org'), 'plans', ['owner_org'], unique=False)
    op.add_column('saved_scenarios', sa.Column('owner_org', sa.String(length=64), nullable=True))
    op.create_index(op.f('ix_saved_scenarios_owner_org'), 'saved_scenarios', ['owner_org'], unique=False)
    op.create_table('logic_model_owners',
    sa.Column('logic_model_id', sa.String(length=128), nullable=False),
    sa.Column('organisation_id', sa.String(length=64), nullable=False),
    sa.Column('created_at', _STAMP, nullable=False),
    sa.ForeignKeyConstraint(['logic_model_id'], ['logic_models.id'], name=op.f('fk_logic_model_owners_logic_model_id_logic_models')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_logic_model_owners_organisation_id_organisations')),
    sa.PrimaryKeyConstraint('logic_model_id', 'organisation_id', name=op.f('pk_logic_model_owners'))
    )
    op.create_table('shares',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('object_id', sa.String(length=200), nullable=False),
    sa.Column('owner_org', sa.String(length=64), nullable=False),
    sa.Column('partner_org', sa.String(length=64), nullable=False),
    sa.Column('access', sa.String(length=10), nullable=False),
    sa.Column('shared_by', sa.String(length=320), nullable=False),
    sa.Column('shared_at', _STAMP, nullable=False),
    sa.ForeignKeyConstraint(['owner_org'], ['organisations.id'], name=op.f('fk_shares_owner_org_organisations')),
    sa.ForeignKeyConstraint(['partner_org'], ['organisations.id'], name=op.f('fk_shares_partner_org_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shares')),
    sa.UniqueConstraint('kind', 'object_id', 'owner_org', 'partner_org', name='uq_shares_object_partner')
    )
    op.create_index(op.f('ix_shares_partner_org'), 'shares', ['partner_org'], unique=False)
    op.create_table('approvals',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('plan_id', sa.String(length=200), nullable=False),
    sa.Column('review_number', sa.Integer(), nullable=True),
    sa.Column('organisation_id', sa.String(length=64), nullable=False),
    sa.Column('approved_by', sa.String(length=320), nullable=False),
    sa.Column('approved_at', _STAMP, nullable=False),
    sa.Column('scenario_id', sa.String(length=128), nullable=True),
    sa.Column('decision', sa.String(length=40), nullable=True),
    sa.ForeignKeyConstraint(['plan_id'], ['plans.id'], name=op.f('fk_approvals_plan_id_plans')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_approvals_organisation_id_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_approvals'))
    )
    op.create_index(op.f('ix_approvals_plan_id'), 'approvals', ['plan_id'], unique=False)
    # An approval is a record of what someone signed off: the database refuses to change it.
    if op.get_bind().dialect.name == "sqlite":
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER approvals_no_{verb.lower()} BEFORE {verb} ON approvals "
                f"BEGIN SELECT RAISE(ABORT, '{_APPEND_ONLY}'); END"
            )
    else:
        op.execute(
            "CREATE FUNCTION approvals_append_only() RETURNS trigger LANGUAGE plpgsql AS "
            f"$$ BEGIN RAISE EXCEPTION '{_APPEND_ONLY}'; END $$"
        )
        op.execute(
            "CREATE TRIGGER approvals_append_only BEFORE UPDATE OR DELETE ON approvals "
            "FOR EACH ROW EXECUTE FUNCTION approvals_append_only()"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS approvals_no_update")
        op.execute("DROP TRIGGER IF EXISTS approvals_no_delete")
    else:
        op.execute("DROP TRIGGER IF EXISTS approvals_append_only ON approvals")
        op.execute("DROP FUNCTION IF EXISTS approvals_append_only()")
    op.drop_index(op.f('ix_approvals_plan_id'), table_name='approvals')
    op.drop_table('approvals')
    op.drop_index(op.f('ix_shares_partner_org'), table_name='shares')
    op.drop_table('shares')
    op.drop_table('logic_model_owners')
    op.drop_index(op.f('ix_saved_scenarios_owner_org'), table_name='saved_scenarios')
    op.drop_index(op.f('ix_plans_owner_org'), table_name='plans')
    with op.batch_alter_table('saved_scenarios') as batch:
        batch.drop_column('owner_org')
    with op.batch_alter_table('plans') as batch:
        batch.drop_column('public')
        batch.drop_column('owner_org')
