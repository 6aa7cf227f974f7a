"""The checklist dialog, free of Slack, and its terminal front end (``capexbot chat``)."""

from bot.conversation.service import HELP_TEXT, ConversationService, Turn, Where

__all__ = ["HELP_TEXT", "ConversationService", "Turn", "Where"]
