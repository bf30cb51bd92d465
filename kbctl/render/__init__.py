"""Renderers: one module per output format. Only this package and kbctl.cli use Rich."""
