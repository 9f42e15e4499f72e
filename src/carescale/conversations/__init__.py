"""Local conversations and a public plan (SCIE 2017, Appendix A; issue 28; docs/conversations.md).

A conversation is held by a council (its ONS code) and owned by an organisation. It has:

* the **local picture** (:mod:`.picture`): for each of the five transformation areas what the
  council spends today (official lines mapped to areas by ``data/conversation_areas.yaml``, or the
  council's own figure, both shown), what inspectors, staff and people say works, and the money
  the council and NHS expect in coming years (central, low and high cases);
* **proposals** (:mod:`.proposals`): models to grow with their figures from the engine for the
  council, and services that could be reduced as a result, each with what it means for people;
* **responses** (:mod:`.responses`): support, oppose or not sure, a comment kept as literal text,
  the respondent's type, entered by staff or the public, with duplicate and per-client limits;
* the **report** on what people said and the **public plan** (:mod:`.report`);
* :mod:`.service`: the one place these are stored and read (``Conversations``), used by the CLI,
  the API and the pages.

The data model is :mod:`.model`.
"""

from .model import (
    CHANNELS,
    DECISIONS,
    RESPONDENT_TYPES,
    STANCES,
    Conversation,
    ConversationIn,
    DecisionIn,
    LocalPicture,
    OutlookIn,
    OwnSpendIn,
    Proposal,
    ProposalIn,
    PublicPlan,
    Report,
    Response,
    ResponseIn,
    WhatWorksIn,
)

__all__ = [
    "CHANNELS",
    "DECISIONS",
    "RESPONDENT_TYPES",
    "STANCES",
    "Conversation",
    "ConversationIn",
    "DecisionIn",
    "LocalPicture",
    "OutlookIn",
    "OwnSpendIn",
    "Proposal",
    "ProposalIn",
    "PublicPlan",
    "Report",
    "Response",
    "ResponseIn",
    "WhatWorksIn",
]
