"""The command-line interface: Typer commands that parse options and call the core.

Click's and Typer's own messages are pointed at kbctl's catalog here, before either is
imported, because both bind ``gettext.gettext`` (and translate some texts) at import time;
the English texts of the Click that Typer bundles are translated where they are shown
(``library_messages``, installed by ``cli/app.py``, so that the fast path of ``kbctl search``
still loads no Typer).
"""

from kbctl.i18n import speak_for_libraries

speak_for_libraries()
