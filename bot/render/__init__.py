"""Renderings of a Decision: plain text for terminals (Block Kit lives with the Slack app)."""
