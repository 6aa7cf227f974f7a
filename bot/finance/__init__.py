"""Finance outputs built on stored decisions: the decision memo, depreciation schedules and
the year-one P&L effect, forecast cases, CSV/XLSX exports and the monthly digest."""
