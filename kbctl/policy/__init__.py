"""The one review policy: pure functions of facts, settings and today."""
