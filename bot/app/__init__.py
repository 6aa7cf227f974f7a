"""The application layer: one Slack-free home per use case, called by every surface.

- :mod:`bot.app.questions`: answer a question (decide, cite, record)
- :mod:`bot.app.budget_requests`: file a budget request, decide on it, list and show them
- :mod:`bot.app.access`: who may decide a request or see a decision (the one place)
- :mod:`bot.app.outputs`: the finance outputs' queries (memo, export, digest)
- the guided checklist: :class:`bot.conversation.ConversationService`
- :mod:`bot.app.services`: all of them built once from the configuration

The surfaces (``bot.slack``, ``bot.cli``) turn their input into a call here and the result
into their output; the layer below (``bot.core``, ``bot.retrieval``, ``bot.storage``,
``bot.finance``) knows nothing of the surfaces.
"""
