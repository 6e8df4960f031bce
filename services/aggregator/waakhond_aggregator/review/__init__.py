"""The review page: people check and correct the classifier's labels.

Reviewers sign in (local accounts from ``waakhond reviewers``, or OIDC in production), work
through a queue of signals and post decisions, which are published as ``SignalReviewed`` on
``signals.reviewed``; the aggregator applies them to the counts. The page never writes
ClickHouse. Every view and decision is an audit line on ``waakhond.review.audit``.
"""
