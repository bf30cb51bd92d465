"""Full-text search over the base: the only package that uses Whoosh.

- ``analysis``: splitting, folding and stemming text (its classes are pickled in the schema);
- ``index``: open the index and keep it fresh, using ``store`` (the cache folders and the
  lock), ``manifest`` (what the index was built from; the freshness plan), ``document`` (the
  schema), ``build`` (full builds), ``update`` (incremental updates), ``spelling`` (the
  vocabulary for typo fixes) and ``report``;
- ``query``: run a search, using ``interpret`` (reading the query), ``searcher`` (one
  session over the index), ``rank`` (re-ranking) and ``snippets`` (best passage, highlights).

Import the submodules directly; this package stays empty so importing it costs nothing.
"""
