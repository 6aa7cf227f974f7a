"""The CapEx assistant: answers "is this CapEx or OpEx?" from an organisation's own policy."""
