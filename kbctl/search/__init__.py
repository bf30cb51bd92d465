"""Full-text search over the base: the only package that uses Whoosh.

``analysis`` splits and stems text, ``index`` keeps the index fresh, ``query`` searches.
Import the submodules directly; this package stays empty so importing it costs nothing.
"""
