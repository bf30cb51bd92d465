"""Click's and Typer's own messages that kbctl's users see, in kbctl's catalog.

Typer passes a few of its texts through ``gettext`` (section titles, ``[default: ...]``,
``No such command``): :func:`kbctl.i18n.speak_for_libraries` points that at kbctl's catalog,
and :data:`GETTEXT_MESSAGES` puts them in it. The copy of Click that Typer bundles
(``typer._click``) writes its messages as plain English f-strings ("Usage: ",
"No such option: --x", "Missing argument 'ID'."), so :func:`install` translates them where
they are shown: the usage prefix, the help option's help, and a usage error's lines, whose
message is matched against :data:`PATTERNS` (English Click text -> kbctl message with named
placeholders). A message no pattern knows is shown as Click wrote it.
"""

from __future__ import annotations

import re
from typing import IO, Any

from kbctl.i18n import N_, _
from kbctl.textsafe import guard_line, one_line

# Typer's gettext messages, spelled exactly as Typer spells them (placeholders included).
GETTEXT_MESSAGES = (
    N_("Arguments"),
    N_("Options"),
    N_("Commands"),
    N_("[default: {}]"),
    N_("[env var: {}]"),
    N_("[required]"),
    N_("default: {default}"),
    N_("env var: {var}"),
    N_("required"),
    N_("(deprecated) "),
    N_("(dynamic)"),
    N_("Missing command."),
    N_("No such command {name!r}."),
    N_("Error"),
    N_("Aborted!"),
    N_("Aborted."),
    N_("Try [blue]'{command_path} {help_option}'[/] for help."),
)

USAGE_PREFIX = N_("Usage: ")
# The help of the options Click and Typer add to every command or to the app.
OPTION_HELP = (
    N_("Show this message and exit."),
    N_("Install completion for the current shell."),
    N_("Show completion for the current shell, to copy it or customize the installation."),
    N_("Install completion for the specified shell."),
    N_("Show completion for the specified shell, to copy it or customize the installation."),
)
COMPLETION_INSTALLED = N_("{shell} completion installed in {path}")
COMPLETION_RESTART = N_("Completion will take effect once you restart the terminal")
TRY_HELP = N_("Try '{command} {option}' for help.")
ERROR_LINE = N_("Error: {message}")

# Click's English messages (typer/_click/exceptions.py, core.py, parser.py, types.py and
# typer/_types.py, typer/core.py), each with the kbctl message that says it. Tried in order;
# the first match wins. Group names are the message's placeholders.
PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"No such option: (?P<name>\S+)"), N_("No such option: {name}")),
    (
        re.compile(r"No such command (?P<name>'.*?')\."),
        N_("No such command {name}."),
    ),
    (re.compile(r"Missing argument(?P<name> .+)?\."), N_("Missing argument{name}.")),
    (re.compile(r"Missing option(?P<name> .+)?\."), N_("Missing option{name}.")),
    (re.compile(r"Missing parameter(?P<name> .+)?\."), N_("Missing parameter{name}.")),
    (
        re.compile(r"Got unexpected extra argument\(s\) \((?P<arguments>.*)\)"),
        N_("Got unexpected extra argument(s) ({arguments})"),
    ),
    (
        re.compile(r"Option (?P<name>'.*?') requires an argument\."),
        N_("Option {name} requires an argument."),
    ),
    (
        re.compile(r"Option (?P<name>'.*?') does not take a value\."),
        N_("Option {name} does not take a value."),
    ),
    (
        re.compile(r"Invalid value for (?P<name>.+?): (?P<message>.*)", re.S),
        N_("Invalid value for {name}: {message}"),
    ),
    (re.compile(r"Invalid value: (?P<message>.*)", re.S), N_("Invalid value: {message}")),
    (
        re.compile(r"(?P<value>.+) is not one of (?P<choices>.+)\."),
        N_("{value} is not one of {choices}."),
    ),
    (
        re.compile(r"(?P<value>.+) is not in the range (?P<range>.+)\."),
        N_("{value} is not in the range {range}."),
    ),
    (
        re.compile(r"(?P<value>.+) is not a valid int(?: range)?\."),
        N_("{value} is not a valid integer."),
    ),
    (
        re.compile(r"(?P<value>.+) is not a valid float(?: range)?\."),
        N_("{value} is not a valid float."),
    ),
    (
        re.compile(r"(?P<value>.+) is not a valid boolean\. Recognized values: (?P<values>.+)"),
        N_("{value} is not a valid boolean. Recognized values: {values}"),
    ),
    (
        re.compile(r"\(Possible options: (?P<options>.+)\)"),
        N_("(Possible options: {options})"),
    ),
    (re.compile(r"Did you mean (?P<suggestions>.+)\?"), N_("Did you mean {suggestions}?")),
)

# Where one message ends and an added one begins: Typer appends ". Did you mean 'x'?",
# Click appends " (Possible options: ...)" and an inner message after "Invalid value for".
_SUFFIX = re.compile(r"(?P<head>.*?)(?P<glue>\.? )(?P<tail>Did you mean .+\?|\(Possible .+\))$")


def translate(message: str) -> str:
    """Click's English ``message`` in the active language (as written when no pattern knows
    it); a suggestion Click or Typer appended is translated on its own."""
    if (english := _SUFFIX.fullmatch(message)) is not None:
        glue = english["glue"]
        return translate(english["head"]) + glue + translate(english["tail"])
    for pattern, text in PATTERNS:
        found = pattern.fullmatch(message)
        if found is None:
            continue
        values = {key: value or "" for key, value in found.groupdict().items()}
        if "message" in values:
            values["message"] = translate(values["message"])
        return _(text).format(**values)
    return message


def install() -> None:
    """Translate the texts Typer's bundled Click writes in English: the usage line's prefix,
    the help of the help and completion options, and usage errors (message, ``Try ... for help.``)."""
    from typer import _click
    from typer._click import exceptions, formatting

    write_usage = formatting.HelpFormatter.write_usage

    def translated_usage(
        self: formatting.HelpFormatter, prog: str, args: str = "", prefix: str | None = None
    ) -> None:
        write_usage(self, prog, args, _(USAGE_PREFIX) if prefix is None else prefix)

    formatting.HelpFormatter.write_usage = translated_usage  # type: ignore[method-assign]

    get_params = _click.core.Command.get_params

    def translated_params(self: Any, ctx: Any) -> Any:
        params = get_params(self, ctx)
        for param in params:
            text = getattr(param, "help", None)
            if text in OPTION_HELP:
                param.help = _(text)  # type: ignore[attr-defined]
        return params

    _click.core.Command.get_params = translated_params  # type: ignore[method-assign]

    def show(self: exceptions.UsageError, file: IO[Any] | None = None) -> None:
        from typer._click.utils import echo

        if file is None:
            file = _click._compat.get_text_stderr()
        color = None
        hint = ""
        if self.ctx is not None and self.ctx.command.get_help_option(self.ctx) is not None:
            hint = (
                _(TRY_HELP).format(
                    command=self.ctx.command_path, option=self.ctx.help_option_names[0]
                )
                + "\n"
            )
        if self.ctx is not None:
            color = self.ctx.color
            echo(f"{self.ctx.get_usage()}\n{hint}", file=file, color=color)
        # What was typed is quoted back: Click escapes C0/C1 controls, not bidi overrides.
        message = _(ERROR_LINE).format(message=translate(self.format_message()))
        echo(guard_line(one_line(message)), file=file, color=color)

    exceptions.UsageError.show = show  # type: ignore[method-assign]
    _translate_completion_install()


def _install_completion(ctx: Any, param: Any, value: Any) -> Any:
    """``--install-completion`` as Typer does it, saying what it did in kbctl's language."""
    import sys

    from typer import _click
    from typer._completion_shared import install

    if not value or ctx.resilient_parsing:
        return value
    shell, path = install(shell=value) if isinstance(value, str) else install()
    name = getattr(shell, "value", shell)  # a Shells member when the shell was named
    _click.termui.secho(_(COMPLETION_INSTALLED).format(shell=name, path=path), fg="green")
    _click.echo(_(COMPLETION_RESTART))
    sys.exit(0)


def _translate_completion_install() -> None:
    """Point Typer's ``--install-completion`` options at :func:`_install_completion`: their
    callback is bound where Typer declares them, as the default of a placeholder function."""
    from typer import completion

    for placeholder in (
        completion._install_completion_placeholder_function,
        completion._install_completion_no_auto_placeholder_function,
    ):
        for default in placeholder.__defaults__ or ():
            if getattr(default, "callback", None) is completion.install_callback:
                default.callback = _install_completion
