"""The command line in Russian: every help text, usage errors, and the team's ``lang``.

The processes run a copy of the package whose Russian catalog is compiled from ``kbctl.po``
as it is now, so the tests see the translations even before ``kbctl.mo`` is recompiled; the
completeness of the shipped catalog itself is tests/test_i18n.py's business.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from kbctl import i18n
from kbctl.cli.library_messages import translate
from tests.conftest import GitRepo, run_kbctl

PACKAGE = Path(i18n.__file__).parent

# Modules whose texts another part of issue 17 translates, left out of the checks until
# they land (none now: search, index, report, digest, gaps and usage are all in).
ELSEWHERE: frozenset[str] = frozenset()

# Prints {command path: help text} for every command and group, as `--help` shows it.
ALL_HELP = """
import json
import typer
from kbctl.cli.app import app
from typer import _click

root = typer.main.get_command(app)
found = {}
def walk(command, context):
    module = getattr(command.callback, "__module__", "")
    found[context.command_path] = [module, command.get_help(context)]
    for name, sub in sorted(getattr(command, "commands", {}).items()):
        walk(sub, _click.core.Context(sub, info_name=name, parent=context))
walk(root, _click.core.Context(root, info_name="kbctl"))
print(json.dumps(found, ensure_ascii=False))
"""

_QUOTED = re.compile(r"`[^`]*`|\"[^\"]*\"|«[^»]*»|'[^'\s]*'|\S+://\S+")
_WORD = re.compile(r"\(?[A-Za-z][a-z]+(?:'[a-z]+)?[,.;:!?)]*")
_ENDS_CLAUSE = re.compile(r"[,.;:!?)]$")


def english_runs(text: str) -> list[str]:
    """Runs of three or more English words in a row: what an untranslated sentence leaves.

    Not counted: the usage line, example command lines (``kbctl ...``, ``claude ...``),
    text in backticks or quotes, URLs, option names, metavars (upper case), values with
    dots or slashes (``user.email``, ``MinHash/LSH``). Punctuation ends a run, so a list of
    values (``wip, validated, archived``) is not a sentence.
    """
    runs: list[str] = []
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith(("kbctl ", "claude ", "Usage:", "Использование:")):
            continue
        run: list[str] = []
        for token in _QUOTED.sub(" ", line).split():
            if _WORD.fullmatch(token):
                run.append(token)
                if not _ENDS_CLAUSE.search(token):
                    continue
            if len(run) >= 3:
                runs.append(" ".join(run))
            run = []
        if len(run) >= 3:
            runs.append(" ".join(run))
    return runs


def test_the_heuristic_finds_english_and_passes_russian() -> None:
    assert english_runs("  -h, --help  Show this message and exit.") == [
        "Show this message and exit."
    ]
    assert english_runs("Statuses: wip, not_validated, validated, archived (aliases).") == []
    assert english_runs('  kbctl flag KB-0012 "step 3 points to the old console"') == []
    assert english_runs("Справка; `kbctl rules` перечисляет правила (KB301, review-overdue).") == []
    assert english_runs("`kbctl rules` lists every rule.") == ["lists every rule."]


@pytest.fixture(scope="module")
def package_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the kbctl package with the Russian catalog compiled from kbctl.po."""
    root = tmp_path_factory.mktemp("package")
    shutil.copytree(PACKAGE, root / "kbctl", ignore=shutil.ignore_patterns("__pycache__"))
    locale = PACKAGE / "locale" / "ru"
    with (locale / "LC_MESSAGES" / "kbctl.po").open("rb") as handle:
        catalog = read_po(handle, locale="ru")
    with (root / "kbctl" / "locale" / "ru" / "LC_MESSAGES" / "kbctl.mo").open("wb") as handle:
        write_mo(handle, catalog)
    return root


@pytest.fixture
def russian_user(monkeypatch: pytest.MonkeyPatch, package_copy: Path) -> dict[str, str]:
    """The environment of a user with a Russian locale and no KBCTL_LANG."""
    for name in ("KBCTL_LANG", "LC_ALL", "LC_MESSAGES", "LANGUAGE"):
        monkeypatch.delenv(name, raising=False)
    return {"LANG": "ru_RU.UTF-8", "PYTHONPATH": str(package_copy)}


def all_help(env: dict[str, str], *, everywhere: bool = False) -> dict[str, str]:
    """Every command's help text, from one real process with ``env`` (without the commands
    of ELSEWHERE unless ``everywhere``)."""
    import os

    completed = subprocess.run(
        [sys.executable, "-c", ALL_HELP],
        cwd=env["PYTHONPATH"],  # `python -c` puts the current folder first on the path
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    found: dict[str, list[str]] = json.loads(completed.stdout)
    return {
        path: text
        for path, (module, text) in found.items()
        if everywhere or module not in ELSEWHERE
    }


def test_every_help_is_russian_under_a_russian_locale(russian_user: dict[str, str]) -> None:
    helps = all_help(russian_user)
    commands = "list show edit new link stale history owners flag flags check rules duplicates"
    more = "config init export mcp review search index report digest gaps usage"
    assert set(helps) == {
        "kbctl",
        "kbctl review mark",
        *(f"kbctl {name}" for name in f"{commands} {more}".split()),
    }
    left = {path: runs for path, text in helps.items() if (runs := english_runs(text))}
    assert left == {}
    assert "Примеры:" in helps["kbctl list"]
    assert "  kbctl list --tag billing --status validated" in helps["kbctl list"]
    assert helps["kbctl"].startswith("Использование: kbctl")
    assert "Показать эту справку и выйти." in helps["kbctl review mark"]


def test_kbctl_lang_en_gives_english_help(russian_user: dict[str, str]) -> None:
    helps = all_help({**russian_user, "KBCTL_LANG": "en"}, everywhere=True)
    assert helps["kbctl"].startswith("Usage: kbctl")
    assert "Show this message and exit." in helps["kbctl list"]
    assert all(english_runs(text) for text in helps.values())


def test_help_through_the_real_command_is_russian(russian_user: dict[str, str]) -> None:
    result = run_kbctl("review", "mark", "--help", env=russian_user)
    assert result.returncode == 0
    assert "Записать проверку" in result.stdout
    assert english_runs(result.stdout) == []


def test_usage_errors_are_russian(russian_user: dict[str, str]) -> None:
    wrong_value = run_kbctl("list", "--format", "xml", env=russian_user)
    assert wrong_value.returncode == 2
    assert wrong_value.stderr.splitlines() == [
        "Использование: kbctl list [OPTIONS]",
        "Справка: 'kbctl list -h'.",
        "",
        "Ошибка: Неверное значение для '--format' / '-f': 'xml' — недопустимое значение"
        " (допустимы: 'table', 'json').",
    ]
    typo = run_kbctl("lst", env=russian_user)
    assert typo.returncode == 2
    assert "Ошибка: Нет такой команды 'lst'. Возможно, вы имели в виду 'list'?" in typo.stderr
    missing = run_kbctl("show", env=russian_user)
    assert "Ошибка: Не указан аргумент 'ID|PATH'." in missing.stderr
    extra = run_kbctl("show", "a", "b", env=russian_user)
    assert "Ошибка: Лишние аргументы (b)" in extra.stderr
    not_a_number = run_kbctl("list", "--limit", "x", env=russian_user)
    assert not_a_number.stderr.splitlines()[-1] == (
        "Ошибка: Неверное значение для '--limit' / '-n': 'x' — не целое число."
    )
    unknown = run_kbctl("list", "--fromat", "json", env=russian_user)
    assert unknown.stderr.splitlines()[-1] == (
        "Ошибка: Нет такого параметра: --fromat (Возможные параметры: --format)"
    )


def test_an_unknown_click_message_is_shown_as_click_wrote_it() -> None:
    assert translate("Something Click says that no pattern knows.") == (
        "Something Click says that no pattern knows."
    )


def team_base(tmp_path: Path, lang: str) -> GitRepo:
    repo = GitRepo(tmp_path / "base")
    repo.write("kbctl.toml", f'lang = "{lang}"\n')
    repo.write_article("a.md", id="KB-1", title="A")
    repo.commit("base")
    return repo


def test_the_team_language_speaks_to_a_user_with_a_c_locale(
    tmp_path: Path, russian_user: dict[str, str]
) -> None:
    repo = team_base(tmp_path, "ru")
    c_locale = {**russian_user, "LANG": "C.UTF-8"}
    result = run_kbctl("history", cwd=repo.path, env=c_locale)
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "kbctl: ошибка: укажите id статьи или путь к ней",
        "  подсказка: или --skipped для шумовых коммитов",
    ]
    english = run_kbctl("history", cwd=repo.path, env={**c_locale, "KBCTL_LANG": "en"})
    assert english.stderr.splitlines() == [
        "kbctl: error: give an article id or path",
        "  hint: or --skipped for noise commits",
    ]
    # The user's own locale wins over the team's choice.
    english_user = run_kbctl("history", cwd=repo.path, env={**c_locale, "LANG": "en_US.UTF-8"})
    assert "kbctl: error: give an article id or path" in english_user.stderr


def test_an_unknown_team_language_is_a_configuration_error(
    tmp_path: Path, russian_user: dict[str, str]
) -> None:
    repo = team_base(tmp_path, "de")
    result = run_kbctl("list", cwd=repo.path, env={**russian_user, "KBCTL_LANG": "en"})
    assert result.returncode == 2
    assert '\'lang\' must be one of "en", "ru"' in result.stderr


def test_installing_completion_says_so_in_russian(russian_user: dict[str, str]) -> None:
    import os

    home = Path(os.environ["HOME"])  # a temporary folder (tests/conftest.py)
    result = run_kbctl(
        "--install-completion",
        "bash",
        env={**russian_user, "_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION": "1"},
    )
    assert result.returncode == 0, result.stderr
    script = home / ".bash_completions" / "kbctl.sh"
    assert result.stdout.splitlines() == [
        f"автодополнение для bash установлено в {script}",
        "Автодополнение заработает после перезапуска терминала",
    ]
    assert script.is_file()


def test_a_usage_error_quoting_what_was_typed_writes_no_control_or_bidi_character(
    russian_user: dict[str, str],
) -> None:
    result = run_kbctl("show", "KB-0001", "x\u202egnp.exe\x1b[31m", env=russian_user)
    assert result.returncode == 2
    last = result.stderr.splitlines()[-1]
    assert last == "Ошибка: Лишние аргументы (x\\u202egnp.exe\\x1b[31m)"
    assert "\u202e" not in result.stderr and "\x1b" not in result.stderr


def test_every_cli_message_has_a_russian_translation_with_its_placeholders(
    package_copy: Path,
) -> None:
    """The command line's part of tests/test_i18n.py's completeness check, on the catalog
    in kbctl.po (the modules of ELSEWHERE aside)."""
    from babel.messages.extract import extract_from_dir
    from babel.messages.mofile import read_mo

    from tests.test_i18n import PLACEHOLDER

    with (package_copy / "kbctl/locale/ru/LC_MESSAGES/kbctl.mo").open("rb") as handle:
        catalog = read_mo(handle)
    keywords = {"_": None, "N_": None, "ngettext": (1, 2)}
    missing, broken = [], []
    for filename, _line, message, _comments, _context in extract_from_dir(
        str(PACKAGE / "cli"), method_map=[("**.py", "python")], keywords=keywords
    ):
        if f"kbctl.cli.{filename.removesuffix('.py')}" in ELSEWHERE:
            continue
        msgid = message if isinstance(message, str) else message[0]
        entry = catalog.get(msgid)
        if entry is None or not entry.string:
            missing.append(msgid)
            continue
        wanted = set(
            PLACEHOLDER.findall(" ".join([message] if isinstance(message, str) else message))
        )
        forms = [entry.string] if isinstance(entry.string, str) else list(entry.string)
        broken += [form for form in forms if set(PLACEHOLDER.findall(form)) != wanted]
    assert missing == []
    assert broken == []
