"""Moves, partners, agreements, rules, consents, the decision procedure, outbox and delivery."""
