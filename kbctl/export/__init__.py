"""``kbctl export``: publish what one audience may see, in formats for people, bots and search.

:mod:`~kbctl.export.plan` decides once which articles leave the base (the only module that
sees the whole base); the formats (:mod:`~kbctl.export.jsonl`, :mod:`~kbctl.export.opensearch`,
:mod:`~kbctl.export.html`, :mod:`~kbctl.export.llms`) are built from the plan alone and write
through :mod:`~kbctl.export.output` (inside the output folder only, never through a link).
:mod:`~kbctl.export.run` ties them together with the incremental state. No Typer, no Rich.
"""
