"""The command-line conventions: global options anywhere, --color, -q/-v/-V, completion in
bash and zsh, `kbctl rules RULE_ID`, did-you-mean and ambiguous ids, whole-sentence help."""

from __future__ import annotations

import io
import os
import re
from pathlib import Path

import pytest
import typer

from kbctl import __version__
from kbctl.cli import context
from kbctl.cli.app import app, hoist_global_options
from kbctl.cli.context import AppState, ColorMode, set_options, use_color
from tests.conftest import run_kbctl
from tests.test_output_safety import run_in_pty

ESCAPE = "\x1b["


# ---------------------------------------------------------------- global options


def test_global_options_work_after_the_command(cli, kb_copy: Path, tmp_path: Path) -> None:
    found = cli("search", "password", "--kb", str(kb_copy), "-q", "--format", "paths", cwd=tmp_path)
    assert found.exit_code == 0, found.stderr
    assert "password-reset-link-expired.md" in found.stdout
    listed = cli("list", "--tag", "billing", f"--kb={kb_copy}", "--format", "json", cwd=tmp_path)
    assert listed.exit_code == 0 and '"id"' in listed.stdout
    unpaged = cli("list", "--no-pager", "--limit", "1", f"--kb={kb_copy}", cwd=tmp_path)
    assert unpaged.exit_code == 0, unpaged.stderr
    assert len(unpaged.stdout.splitlines()) == 2  # the header and one row
    assert hoist_global_options(typer.main.get_command(app), ["list", "--no-pager"]) == [
        "--no-pager",
        "list",
    ]


def test_a_value_of_the_commands_own_option_is_not_moved() -> None:
    group = typer.main.get_command(app)
    assert hoist_global_options(group, ["list", "--where", "-q", "-v"]) == [
        "-v",
        "list",
        "--where",
        "-q",
    ]
    assert hoist_global_options(group, ["search", "x", "--", "--kb", "d"]) == [
        "search",
        "x",
        "--",
        "--kb",
        "d",
    ]


def test_version_short_and_long(cli) -> None:
    for flag in ("-V", "--version"):
        result = cli(flag)
        assert result.exit_code == 0 and result.stdout == f"kbctl {__version__}\n"


def test_verbose_names_the_base_and_quiet_drops_notices_and_summaries(cli, kb_copy: Path) -> None:
    verbose = cli("list", "-v", "--format", "json", cwd=kb_copy)
    assert f"kbctl: base {kb_copy.resolve() / 'kb-content'}" in verbose.stderr
    loud = cli("check", "--today", "2026-11-22", cwd=kb_copy)
    quiet = cli("check", "--today", "2026-11-22", "-q", cwd=kb_copy)
    assert loud.exit_code == quiet.exit_code == 1
    assert "articles checked" in loud.stdout
    assert "articles checked" not in quiet.stdout
    assert quiet.stdout.strip() and quiet.stdout.strip() in loud.stdout
    noted = cli("check", "nowhere.md", "elsewhere/", "--today", "2026-11-22", cwd=kb_copy)
    silent = cli("check", "nowhere.md", "elsewhere/", "--today", "2026-11-22", "-q", cwd=kb_copy)
    assert "kbctl:" in noted.stderr or noted.exit_code == 2
    assert "kbctl: " not in silent.stderr.replace("kbctl: error", "")


# ---------------------------------------------------------------- colour


class _Stream(io.StringIO):
    def __init__(self, tty: bool) -> None:
        super().__init__()
        self._tty = tty

    def isatty(self) -> bool:
        return self._tty


@pytest.mark.parametrize(
    ("mode", "env", "tty", "expected"),
    [
        (ColorMode.AUTO, {}, True, True),
        (ColorMode.AUTO, {}, False, False),
        (ColorMode.AUTO, {"NO_COLOR": "1"}, True, False),
        (ColorMode.AUTO, {"CLICOLOR_FORCE": "1"}, False, True),
        (ColorMode.AUTO, {"CLICOLOR_FORCE": "0"}, False, False),
        (ColorMode.AUTO, {"NO_COLOR": "1", "CLICOLOR_FORCE": "1"}, False, False),
        (ColorMode.ALWAYS, {"NO_COLOR": "1"}, False, True),
        (ColorMode.NEVER, {"CLICOLOR_FORCE": "1"}, True, False),
    ],
)
def test_color_choice(
    monkeypatch: pytest.MonkeyPatch, mode: ColorMode, env: dict[str, str], tty: bool, expected: bool
) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("CLICOLOR_FORCE", raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    previous = context.OPTIONS
    set_options(AppState(color=mode))
    try:
        assert use_color(_Stream(tty)) is expected
    finally:
        set_options(previous)


def test_color_always_reaches_a_pipe_and_never_a_terminal(
    kb_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Search hits are for people, so --color reaches them in a pipe; TSV tables stay plain.
    piped = run_kbctl("--color", "always", "search", "invoice", cwd=kb_copy)
    assert ESCAPE in piped.stdout  # even with NO_COLOR (set by the test environment)
    table = run_kbctl("--color", "always", "list", "--tag", "billing", cwd=kb_copy)
    assert ESCAPE not in table.stdout and "\t" in table.stdout
    forced_off = run_kbctl("search", "invoice", cwd=kb_copy, env={"CLICOLOR_FORCE": "1"})
    assert ESCAPE not in forced_off.stdout  # NO_COLOR wins over CLICOLOR_FORCE
    monkeypatch.delenv("NO_COLOR")
    forced = run_kbctl("search", "invoice", cwd=kb_copy, env={"CLICOLOR_FORCE": "1"})
    assert ESCAPE in forced.stdout
    assert ESCAPE not in run_kbctl("search", "invoice", cwd=kb_copy).stdout
    on_terminal = run_in_pty(("rules", "KB301", "--color", "never"), kb_copy)
    assert ESCAPE not in on_terminal and "review-overdue" in on_terminal


# ---------------------------------------------------------------- completion


def _bash(words: str, cwd: Path, spelling: str = "complete_bash") -> list[str]:
    parts = words.split(" ")
    result = run_kbctl(
        cwd=cwd,
        env={"_KBCTL_COMPLETE": spelling, "COMP_WORDS": words, "COMP_CWORD": str(len(parts) - 1)},
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


def _zsh(words: str, cwd: Path) -> str:
    result = run_kbctl(
        cwd=cwd, env={"_KBCTL_COMPLETE": "complete_zsh", "_TYPER_COMPLETE_ARGS": words}
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_the_installed_scripts_use_the_protocol_tested_here(kb_copy: Path) -> None:
    bash = run_kbctl(cwd=kb_copy, env={"_KBCTL_COMPLETE": "source_bash"}).stdout
    zsh = run_kbctl(cwd=kb_copy, env={"_KBCTL_COMPLETE": "source_zsh"}).stdout
    assert "_KBCTL_COMPLETE=complete_bash" in bash and "COMP_CWORD" in bash
    assert "_KBCTL_COMPLETE=complete_zsh" in zsh and "_TYPER_COMPLETE_ARGS" in zsh


def test_bash_completes_ids_tags_owners_products_statuses_and_rules(kb_copy: Path) -> None:
    assert "KB-0012" in _bash("kbctl show KB-001", kb_copy)
    assert "kb-0012" in _bash("kbctl history kb-001", kb_copy)  # typed case kept
    assert "billing" in _bash("kbctl list --tag bil", kb_copy)
    assert "@anna.petrova" in _bash("kbctl stale --owner @an", kb_copy)
    assert "relay-mobile" in _bash("kbctl search x --product relay-m", kb_copy)
    assert _bash("kbctl list --status v", kb_copy) == ["validated"]
    assert "KB301" in _bash("kbctl rules KB30", kb_copy)
    assert "review-overdue" in _bash("kbctl rules review-o", kb_copy)
    # Click's spelling of the request is answered too.
    assert "KB-0012" in _bash("kbctl show KB-001", kb_copy, spelling="bash_complete")


def test_bash_completes_paths_from_the_current_folder(kb_copy: Path) -> None:
    billing = kb_copy / "kb-content" / "billing"
    assert "refund-approval-policy.md" in _bash("kbctl show ref", billing)
    assert "kb-content/billing/refund-approval-policy.md" in _bash(
        "kbctl show kb-content/billing/ref", kb_copy
    )


def test_zsh_completes_ids_with_titles_tags_and_owners(kb_copy: Path) -> None:
    ids = _zsh("kbctl show KB-001", kb_copy)
    assert ids.startswith("_arguments") and '"KB-0012":"' in ids
    assert '"billing"' in _zsh("kbctl list --tag bil", kb_copy)
    assert '"@anna.petrova"' in _zsh("kbctl list --owner @an", kb_copy)
    assert '"validated"' in _zsh("kbctl list --status ", kb_copy)
    clicks = run_kbctl(
        cwd=kb_copy,
        env={
            "_KBCTL_COMPLETE": "zsh_complete",
            "COMP_WORDS": "kbctl list --tag bil",
            "COMP_CWORD": "3",
        },
    )
    assert '"billing"' in clicks.stdout


def test_completion_of_a_base_that_cannot_be_read_is_empty(tmp_path: Path) -> None:
    (tmp_path / "kbctl.toml").write_text("content = [", encoding="utf-8")
    assert _bash("kbctl show KB", tmp_path) == []


def test_completion_sees_an_edited_article(kb_copy: Path) -> None:
    assert "brand-new-tag" not in _bash("kbctl list --tag brand", kb_copy)
    article = kb_copy / "kb-content" / "billing" / "card-declined.md"
    text = article.read_text(encoding="utf-8")
    article.write_text(text.replace("tags: [", "tags: [brand-new-tag, ", 1), encoding="utf-8")
    os.utime(article, ns=(1, 1))  # an old mtime: the cache may keep this entry
    assert "brand-new-tag" in _bash("kbctl list --tag brand", kb_copy)


# ---------------------------------------------------------------- rules RULE_ID


def test_rules_explains_one_rule_by_id_or_name_any_case(cli) -> None:
    for key in ("KB301", "kb301", "Review-Overdue"):
        result = cli("rules", key)
        assert result.exit_code == 0
        assert result.stdout.startswith("# KB301 review-overdue\n")
        assert "- How to fix:" in result.stdout and "KB302" not in result.stdout
    data = cli("rules", "kb301", "--format", "json")
    assert '"id": "KB301"' in data.stdout


def test_an_unknown_rule_is_exit_2_with_did_you_mean(cli) -> None:
    result = cli("rules", "KB31")
    assert result.exit_code == 2
    assert "no rule 'KB31' (did you mean 'KB301'?)" in result.stderr
    named = cli("rules", "revew-overdue")
    assert named.exit_code == 2 and "did you mean 'review-overdue'" in named.stderr


def test_rules_on_a_terminal_is_rendered(kb_copy: Path) -> None:
    shown = run_in_pty(("rules", "KB301"), kb_copy)
    assert "KB301 review-overdue" in shown and "# KB301" not in shown


# ---------------------------------------------------------------- ids


def test_an_unknown_id_or_path_suggests_the_near_one(cli, kb_copy: Path) -> None:
    result = cli("show", "KB-012", cwd=kb_copy)
    assert result.exit_code == 2
    assert "did you mean 'KB-0012'?" in result.stderr
    path = cli("show", "email/emails-going-to-spa.md", cwd=kb_copy)
    assert path.exit_code == 2 and "did you mean 'email/emails-going-to-spam.md'?" in path.stderr
    many = cli("review", "mark", "KB-012", "KB-0013", "--by", "@anna.petrova", cwd=kb_copy)
    assert many.exit_code == 2 and "did you mean 'KB-0012'" in many.stderr


def test_an_ambiguous_id_is_exit_2_listing_the_candidates(cli, kb_copy: Path) -> None:
    result = cli("show", "KB-0042", cwd=kb_copy)
    assert result.exit_code == 2
    assert "names 2 articles" in result.stderr
    assert "email/emails-going-to-spam.md" in result.stderr
    assert "email/pisma-popadayut-v-spam.md" in result.stderr
    by_path = cli("show", "email/pisma-popadayut-v-spam.md", "--format", "json", cwd=kb_copy)
    assert by_path.exit_code == 0


def test_an_id_equal_to_another_articles_path_is_ambiguous(cli, tmp_path: Path) -> None:
    (tmp_path / "kbctl.toml").write_text("", encoding="utf-8")
    (tmp_path / "a.md").write_text("---\nid: b.md\ntitle: A\n---\nA.\n", encoding="utf-8")
    (tmp_path / "b.md").write_text("---\nid: KB-2\ntitle: B\n---\nB.\n", encoding="utf-8")
    result = cli("--kb", str(tmp_path), "show", "b.md", cwd=tmp_path.parent)
    assert result.exit_code == 2 and "names 2 articles" in result.stderr
    # From the base itself, an existing file path names that file.
    assert cli("show", "b.md", "--format", "json", cwd=tmp_path).exit_code == 0


# ---------------------------------------------------------------- help


def test_help_summaries_are_whole_sentences() -> None:
    stack = [typer.main.get_command(app)]
    seen = 0
    while stack:
        group = stack.pop()
        for name, command in getattr(group, "commands", {}).items():
            stack.append(command)
            summary = command.get_short_help_str(limit=45)
            seen += 1
            assert summary.endswith("."), (name, summary)
            assert not summary.endswith("..."), (name, summary)
            assert re.match(r"[A-Z]", summary), (name, summary)
    assert seen >= 14
