"""Renderings of an answer: the decision document every surface renders (document.py), and
plain text for terminals (Block Kit lives with the Slack app, the memo with finance)."""
