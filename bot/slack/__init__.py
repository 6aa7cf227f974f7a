"""The Slack app: Bolt listeners, Block Kit, App Home, the assistant pane, serving."""
