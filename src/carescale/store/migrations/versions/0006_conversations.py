"""local conversations and a public plan: conversations, their entries (own figures, what works,
expected money, goals, themes, quotes, decisions, publishing), proposals and responses (issue 28)

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

_STAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table('conversations',
    sa.Column('id', sa.String(length=200), nullable=False),
    sa.Column('council', sa.String(length=9), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('organisation', sa.String(length=64), nullable=True),
    sa.Column('definition_json', sa.Text(), nullable=False),
    sa.Column('created_by', sa.String(length=320), nullable=False),
    sa.Column('created_at', _STAMP, nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_conversations'))
    )
    op.create_index(op.f('ix_conversations_organisation'), 'conversations', ['organisation'], unique=False)
    op.create_table('conversation_entries',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('conversation_id', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('body_json', sa.Text(), nullable=False),
    sa.Column('created_by', sa.String(length=320), nullable=False),
    sa.Column('created_at', _STAMP, nullable=False),
    sa.ForeignKeyConstraint(['conversation_id'], ['conversations.id'], name=op.f('fk_conversation_entries_conversation_id_conversations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_conversation_entries'))
    )
    op.create_index(op.f('ix_conversation_entries_conversation_id'), 'conversation_entries', ['conversation_id'], unique=False)
    op.create_table('conversation_proposals',
    sa.Column('conversation_id', sa.String(length=200), nullable=False),
    sa.Column('id', sa.String(length=200), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('definition_json', sa.Text(), nullable=False),
    sa.Column('created_by', sa.String(length=320), nullable=False),
    sa.Column('created_at', _STAMP, nullable=False),
    sa.ForeignKeyConstraint(['conversation_id'], ['conversations.id'], name=op.f('fk_conversation_proposals_conversation_id_conversations')),
    sa.PrimaryKeyConstraint('conversation_id', 'id', name=op.f('pk_conversation_proposals')),
    sa.UniqueConstraint('conversation_id', 'number', name=op.f('uq_conversation_proposals_conversation_id'))
    )
    op.create_table('conversation_responses',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('conversation_id', sa.String(length=200), nullable=False),
    sa.Column('proposal_id', sa.String(length=200), nullable=False),
    sa.Column('stance', sa.String(length=10), nullable=False),
    sa.Column('respondent', sa.String(length=20), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('channel', sa.String(length=10), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=True),
    sa.Column('client_hash', sa.String(length=64), nullable=True),
    sa.Column('created_by', sa.String(length=320), nullable=False),
    sa.Column('created_at', _STAMP, nullable=False),
    sa.ForeignKeyConstraint(['conversation_id', 'proposal_id'], ['conversation_proposals.conversation_id', 'conversation_proposals.id'], name=op.f('fk_conversation_responses_conversation_id_conversation_proposals')),
    sa.ForeignKeyConstraint(['conversation_id'], ['conversations.id'], name=op.f('fk_conversation_responses_conversation_id_conversations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_conversation_responses')),
    sa.UniqueConstraint('conversation_id', 'fingerprint', name=op.f('uq_conversation_responses_conversation_id'))
    )
    op.create_index(op.f('ix_conversation_responses_client_hash'), 'conversation_responses', ['client_hash'], unique=False)
    op.create_index(op.f('ix_conversation_responses_conversation_id'), 'conversation_responses', ['conversation_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_conversation_responses_conversation_id'), table_name='conversation_responses')
    op.drop_index(op.f('ix_conversation_responses_client_hash'), table_name='conversation_responses')
    op.drop_table('conversation_responses')
    op.drop_table('conversation_proposals')
    op.drop_index(op.f('ix_conversation_entries_conversation_id'), table_name='conversation_entries')
    op.drop_table('conversation_entries')
    op.drop_index(op.f('ix_conversations_organisation'), table_name='conversations')
    op.drop_table('conversations')
