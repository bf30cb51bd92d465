"""``kbctl new``: templates, ids, file names from hostile titles, owner, similar articles."""

from __future__ import annotations

import json
import os
from datetime import date
from pathlib import Path

import pytest

from kbctl.capture import (
    create_article,
    file_stem,
    find_template,
    id_pattern,
    next_id,
    title_language,
)
from kbctl.config import load_config
from kbctl.errors import ConfigError, UsageError
from tests.conftest import PROJECT_ROOT, Cli, GitRepo, run_in_pty
from tests.test_editor import fake_editor

ROSTER = """people:
  - handle: "@anna.petrova"
    email: anna.petrova@relay.example
    active: true
"""


@pytest.fixture
def kb(git_repo: GitRepo) -> GitRepo:
    """A base with ids KB-0007..KB-0009 (one odd id), a roster and one base template."""
    git_repo.write(
        "kbctl.toml",
        'content = "kb"\nroster = "kb/owners.yaml"\nexclude = ["_templates/**", "owners.yaml"]\n',
    )
    git_repo.write("kb/owners.yaml", ROSTER)
    git_repo.write_article(
        "kb/billing/invoice-pdf-blank.md",
        "## Issue\n\nThe invoice PDF opens blank in the browser.\n",
        id="KB-0007",
        title="Invoice PDF is blank",
    )
    git_repo.write_article("kb/a.md", id="KB-0009", title="Refund window")
    git_repo.write_article("kb/b.md", id="legacy-12", title="Old article")
    git_repo.write(
        "kb/_templates/faq.md",
        '---\nid: "{{id}}"\ntitle: "{{title}}"\ntype: faq\nowner: "{{owner}}"\nstatus: wip\n'
        'created: "{{created}}"\n---\n\n# {{title}}\n\n## Question one?\n',
    )
    git_repo.commit("base")
    return git_repo


def new(cli: Cli, kb: GitRepo, *args: str, env: dict[str, str] | None = None):
    return cli("new", "--today", "2026-11-22", *args, cwd=kb.path, env=env)


def front(path: Path) -> dict[str, object]:
    import yaml

    text = path.read_text(encoding="utf-8")
    return yaml.safe_load(text.split("---\n")[1])


def created(result: object, kb: GitRepo) -> Path:
    out = result.stdout.strip()  # type: ignore[attr-defined]
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    path = kb.path / out
    assert path.is_file(), out
    return path


# ------------------------------------------------------------------ ids


def test_next_id_follows_the_dominant_pattern_and_its_padding() -> None:
    assert next_id(["KB-0007", "KB-0009", "legacy-12"]) == "KB-0010"
    assert id_pattern(["faq-1", "faq-20", "KB-0001"]) == "faq-#"
    assert next_id(["faq-1", "faq-20", "KB-0001"]) == "faq-21"
    assert next_id([]) == "KB-0001"
    assert next_id(["getting-started", "refunds"]) == "KB-0001"


def test_next_id_with_a_configured_pattern_never_reuses_an_id() -> None:
    assert next_id(["KB-0007"], "DOC-###") == "DOC-001"
    assert next_id(["doc-001", "DOC-002"], "DOC-###") == "DOC-003"
    with pytest.raises(ConfigError):
        next_id(["KB-1"], "KB-{n}")
    with pytest.raises(ConfigError):
        next_id(["KB-1"], "#-#")


def test_the_configured_id_pattern_is_used(cli: Cli, kb: GitRepo) -> None:
    kb.write("kbctl.toml", 'content = "kb"\n[new]\nid_pattern = "RELAY-#####"\n')
    path = created(new(cli, kb, "--title", "Webhook retries"), kb)
    assert front(path)["id"] == "RELAY-00001"


def test_ids_count_up_across_runs(cli: Cli, kb: GitRepo) -> None:
    first = created(new(cli, kb, "-t", "Card declined at checkout"), kb)
    second = created(new(cli, kb, "-t", "Card declined at checkout"), kb)
    assert (front(first)["id"], front(second)["id"]) == ("KB-0010", "KB-0011")
    assert second.name == "card-declined-at-checkout-2.md"


# ------------------------------------------------------------------ hostile titles


def test_a_path_in_the_title_cannot_leave_the_base(cli: Cli, kb: GitRepo) -> None:
    path = created(new(cli, kb, "--title", "../../etc/x"), kb)
    assert path.parent == kb.path / "kb" and path.name == "etc-x.md"
    assert front(path)["title"] == "../../etc/x"
    assert not (kb.path.parent / "etc").exists()


def test_an_empty_title_is_exit_2(cli: Cli, kb: GitRepo) -> None:
    for title in ("", "   ", "\x1b\x07"):
        result = new(cli, kb, "--title", title)
        assert result.exit_code == 2
        assert "the title is empty" in result.stderr
    assert sorted(p.name for p in (kb.path / "kb").glob("*.md")) == ["a.md", "b.md"]


def test_an_emoji_title_is_named_after_its_id(cli: Cli, kb: GitRepo) -> None:
    path = created(new(cli, kb, "--title", "🔥🔥"), kb)
    assert path.name == "kb-0010.md"
    assert front(path)["title"] == "🔥🔥"


def test_a_300_character_title_gives_a_short_name(cli: Cli, kb: GitRepo) -> None:
    title = "Очень длинный заголовок " * 13
    path = created(new(cli, kb, "--title", title), kb)
    assert len(path.stem) <= 80 and path.stem.startswith("ochen-dlinnyi-zagolovok")
    assert not path.stem.endswith("-")
    assert front(path)["title"] == title.strip()[:300].strip()


def test_control_characters_and_yaml_specials_in_the_title(cli: Cli, kb: GitRepo) -> None:
    title = 'Error: "quota" #1\x1b[31m\u202eevil\nnext: line'
    path = created(new(cli, kb, "--title", title), kb)
    written = front(path)["title"]
    assert written == 'Error: "quota" #1 [31m evil next: line'
    assert "\x1b" not in path.read_text(encoding="utf-8")


def test_a_title_that_exists_gets_a_new_name_and_shows_the_old_article(
    cli: Cli, kb: GitRepo
) -> None:
    kb.write_article("kb/invoice-pdf-is-blank.md", "Other.\n", id="KB-0008", title="Other")
    before = (kb.path / "kb/invoice-pdf-is-blank.md").read_bytes()
    result = new(cli, kb, "--title", "Invoice PDF is blank")
    path = created(result, kb)
    assert path.name == "invoice-pdf-is-blank-2.md"
    assert (kb.path / "kb/invoice-pdf-is-blank.md").read_bytes() == before
    assert "maybe this already exists?" in result.stderr
    assert "KB-0007" in result.stderr and "billing/invoice-pdf-blank.md" in result.stderr


def test_the_folder_must_be_inside_the_base_and_hold_articles(cli: Cli, kb: GitRepo) -> None:
    outside = new(cli, kb, "--title", "X", "--dir", "../elsewhere")
    assert outside.exit_code == 2 and "outside the base" in outside.stderr
    excluded = new(cli, kb, "--title", "X", "--dir", "_templates")
    assert excluded.exit_code == 2 and "would not be an article" in excluded.stderr
    (kb.path / "kb" / "link").symlink_to(kb.path.parent)
    linked = new(cli, kb, "--title", "X", "--dir", "link")
    assert linked.exit_code == 2 and "outside the base" in linked.stderr
    made = created(new(cli, kb, "--title", "X", "--dir", "new/area"), kb)
    assert made == kb.path / "kb/new/area/x.md"


def test_file_stem_only_yields_safe_names() -> None:
    for title in ("../../etc/passwd", "a/b\\c", "..", "CON", "nul\x00byte", "💥"):
        stem = file_stem(title, "KB-0001")
        assert stem and set(stem) <= set("abcdefghijklmnopqrstuvwxyz0123456789-")


# ------------------------------------------------------------------ templates and language


def test_built_in_kcs_template_in_english_and_russian(cli: Cli, kb: GitRepo) -> None:
    english = created(new(cli, kb, "--title", "Webhook signature mismatch"), kb)
    text = english.read_text(encoding="utf-8")
    assert "## Issue" in text and "## Environment" in text and "## Resolution" in text
    meta = front(english)
    assert meta["status"] == "wip" and meta["created"] == date(2026, 11, 22)
    russian = created(new(cli, kb, "--title", "Не приходит счёт"), kb)
    text = russian.read_text(encoding="utf-8")
    assert "## Проблема" in text and "## Окружение" in text and "## Решение" in text
    assert "## Причина" in text and russian.name == "ne-prikhodit-schet.md"
    forced = created(new(cli, kb, "--title", "Invoice again", "--lang", "ru"), kb)
    assert "## Проблема" in forced.read_text(encoding="utf-8")


def test_the_base_template_wins_and_placeholders_are_plain_text(cli: Cli, kb: GitRepo) -> None:
    path = created(new(cli, kb, "--template", "faq", "--title", "{{id}} and {{owner}}"), kb)
    text = path.read_text(encoding="utf-8")
    assert "## Question one?" in text
    meta = front(path)
    assert meta["type"] == "faq" and meta["title"] == "{{id}} and {{owner}}"
    assert "# {{id}} and {{owner}}\n" in text  # substituted once, never re-expanded


def test_unknown_and_odd_template_names(cli: Cli, kb: GitRepo) -> None:
    missing = new(cli, kb, "--template", "howto", "--title", "X")
    assert missing.exit_code == 2 and "no template 'howto'" in missing.stderr
    assert "faq" in missing.stderr and "kcs" in missing.stderr
    odd = new(cli, kb, "--template", "../../secret", "--title", "X")
    assert odd.exit_code == 2 and "template name" in odd.stderr


def test_a_template_linked_out_of_the_base_is_refused(kb: GitRepo, tmp_path: Path) -> None:
    secret = tmp_path / "secret.md"
    secret.write_text("---\ntitle: secret\n---\nsecret\n", encoding="utf-8")
    (kb.path / "kb/_templates/howto.md").symlink_to(secret)
    config = load_config(kb=str(kb.path / "kb"))
    with pytest.raises(UsageError, match="template not read"):
        find_template(config, "howto", "en")


def test_title_language() -> None:
    assert title_language("Не приходит SMS") == "ru"
    assert title_language("SSO error АБ") == "en"
    assert title_language("🔥") == "en"


# ------------------------------------------------------------------ owner, tags, editor


def test_owner_defaults_to_git_user_through_the_roster(cli: Cli, kb: GitRepo) -> None:
    path = created(new(cli, kb, "--title", "Owner check", "--tag", "billing", "--tag", "pdf"), kb)
    meta = front(path)
    assert meta["owner"] == "@anna.petrova"
    assert meta["tags"] == ["billing", "pdf"]
    given = created(new(cli, kb, "--title", "Owner given", "--owner", "@igor"), kb)
    assert front(given)["owner"] == "@igor"


def test_edit_opens_the_new_article_in_the_editor(cli: Cli, kb: GitRepo, tmp_path: Path) -> None:
    vim, record = fake_editor(tmp_path, "vim")
    result = new(cli, kb, "--title", "Edit me", "--edit", env={"EDITOR": str(vim), "VISUAL": ""})
    path = created(result, kb)
    args = json.loads(record.read_text(encoding="utf-8"))
    assert args[-1] == str(path.absolute())
    line = int(args[0].lstrip("+"))
    assert path.read_text(encoding="utf-8").splitlines()[line - 3] == "## Issue"


def test_the_core_function_needs_no_cli(kb: GitRepo) -> None:
    config = load_config(kb=str(kb.path / "kb"))
    path = create_article(
        config,
        title="From MCP",
        body="Steps.\n",
        fields={"audience": "customer"},
        today=date(2026, 1, 2),
    )
    meta = front(path)
    assert meta["audience"] == "customer" and meta["created"] == date(2026, 1, 2)
    assert path.read_text(encoding="utf-8").endswith("---\nSteps.\n")


# ------------------------------------------------------------------ terminal


def test_on_a_terminal_it_asks_before_creating_a_likely_duplicate(kb: GitRepo) -> None:
    env = {key: value for key, value in os.environ.items() if key != "NO_COLOR"}
    env.update(PYTHONPATH=str(PROJECT_ROOT), TERM="dumb")
    args = ("new", "--title", "Invoice PDF is blank", "--today", "2026-11-22")
    run = run_in_pty(args, kb.path, env, stdin_on_pty=True, answer=(b"anyway?", b"n\n"))
    assert run.answered and run.returncode == 2, run.text
    assert "KB-0007" in run.text and "not created" in run.text
    assert not (kb.path / "kb/invoice-pdf-is-blank.md").exists()
    yes = run_in_pty((*args, "--yes"), kb.path, env, stdin_on_pty=True)
    assert yes.returncode == 0 and (kb.path / "kb/invoice-pdf-is-blank.md").is_file()
