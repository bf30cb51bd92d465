"""Pure rules: functions of (articles, history, config, today) that return verdicts."""
