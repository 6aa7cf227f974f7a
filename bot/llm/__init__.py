"""The optional language-model mode (off by default): proposes facts and words answers; the
rules decide. See :mod:`bot.llm.mode`."""

from bot.llm.mode import LanguageModel, LanguageModelError, language_model

__all__ = ["LanguageModel", "LanguageModelError", "language_model"]
