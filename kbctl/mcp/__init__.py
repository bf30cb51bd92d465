"""``kbctl mcp``: the knowledge base as a Model Context Protocol server for AI assistants.

- :mod:`~kbctl.mcp.service`: what each tool answers, built on the workspace, the review
  policy, ownership and the search index, with the audience ceiling applied everywhere;
  no MCP code, so it can be called and tested directly;
- :mod:`~kbctl.mcp.shapes`: the typed results (their JSON Schemas are the tools' output
  schemas), filled from the records of :mod:`kbctl.render.vocabulary`;
- :mod:`~kbctl.mcp.server`: the tools, resources and prompt on the official ``mcp`` SDK;
- :mod:`~kbctl.mcp.usage`: the call points for the usage log (no-ops for now);
- ``SKILL.md``: how an assistant uses kbctl, on the command line and over MCP.

The SDK is imported only by :mod:`~kbctl.mcp.server`, and only when ``kbctl mcp`` runs.
"""
