"""``kbctl init``: a working kbctl.toml guessed from what a base's files actually hold.

Each fixture is a small base in the style of one generator, built in tmp_path as a git
repository; after ``init``, ``kbctl config`` and ``kbctl check`` must run without a config
error and without the noise init is there to avoid (ids, required keys, owners).
"""

from __future__ import annotations

import json
import os
import tomllib
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Cli, GitRepo, run_kbctl


def _config(repo: GitRepo) -> dict[str, Any]:
    return tomllib.loads((repo.path / "kbctl.toml").read_text(encoding="utf-8"))


def _init(cli: Cli, repo: GitRepo, *args: str) -> Any:
    result = cli("init", str(repo.path), *args)
    assert result.exit_code == 0, result.stderr
    return result


def _check_rules(cli: Cli, repo: GitRepo) -> dict[str, int]:
    """``kbctl config`` and ``kbctl check`` in the base: no config error; findings by rule."""
    config = cli("config", cwd=repo.path)
    assert config.exit_code == 0, config.stderr
    result = cli("check", "--format", "json", "--today", "2026-02-01", cwd=repo.path)
    assert result.exit_code in (0, 1), result.stderr
    counts: dict[str, int] = {}
    for finding in json.loads(result.stdout)["findings"]:
        counts[finding["rule"]] = counts.get(finding["rule"], 0) + 1
    return counts


def hugo(repo: GitRepo) -> GitRepo:
    repo.write("hugo.toml", 'baseURL = "https://example.org/"\n')
    repo.write("README.md", "# The site\n")
    repo.write("archetypes/default.md", "---\ntitle: '{{ .Name }}'\n---\n")
    repo.write_article("content/en/_index.md", title="Home")
    repo.write_article("content/en/_common/_index.md", cascade={"build": {"render": "never"}})
    repo.write_article("content/en/_common/note.md", "A shared note.\n", title="Note")
    for number in range(12):
        repo.write_article(
            f"content/en/guides/page-{number}.md",
            f"Guide {number}. See [the other](/guides/page-{(number + 1) % 12}/).\n",
            title=f"Guide {number}",
            description="How to.",
            slug=f"page-{number}",
            aliases=[f"/old/page-{number}/"],
            lastmod="2025-06-01",
            keywords=["guide"],
        )
    repo.commit("hugo site")
    return repo


def jekyll(repo: GitRepo) -> GitRepo:
    repo.write("_config.yml", "url: https://blog.example.org\npermalink: /:year/:title/\n")
    repo.write_article("about.md", title="About", permalink="/about/")
    for number in range(15):
        repo.write_article(
            f"_posts/2024-01-{number + 1:02d}-post-{number}.md",
            f"Post {number} text.\n",
            title=f"Post {number}",
            date=f"2024-01-{number + 1:02d} 10:00:00 +0000",
            author="jane",
            tags=["news"],
        )
    repo.commit("jekyll blog")
    return repo


def mkdocs(repo: GitRepo) -> GitRepo:
    repo.write("mkdocs.yml", "site_name: Docs\nsite_url: https://docs.example.org/\n")
    repo.write("README.md", "# Repo\n")
    repo.write("docs/index.md", "# Welcome\n\nNo front matter here.\n")
    for number in range(10):
        repo.write_article(
            f"docs/topics/topic-{number}.md",
            f"# Topic {number}\n\nText.\n",
            title=f"Topic {number}",
            tags=["topic"],
            owner="@docs-team",
            last_reviewed="25/12/2025" if number == 0 else f"{number}/11/2025",
        )
    repo.commit("mkdocs site")
    return repo


def docusaurus(repo: GitRepo) -> GitRepo:
    repo.write(
        "docusaurus.config.js", "module.exports = { url: 'https://x.example', baseUrl: '/' };\n"
    )
    repo.write(".github/CODEOWNERS", "/docs/ @docs-team\n")
    for number in range(8):
        repo.write_article(
            f"docs/{'intro' if number < 3 else 'guides'}/doc-{number}.md",
            "Text of the doc.\n",
            title=f"Doc {number}",
            slug=f"/doc-{number}",
            sidebar_position=number,
        )
    repo.commit("docusaurus")
    return repo


def microsoft(repo: GitRepo) -> GitRepo:
    repo.write("README.md", "# Localised content\n")
    repo.write("Teams/includes/note.md", "> A note.\n")
    for number in range(20):
        repo.write_article(
            f"Teams/article-{number}.md",
            "Текст статьи.\n",
            title=f"Статья {number}",
            **{
                "ms.author": "tonysmit",
                "author": "tonysmit",
                "ms.reviewer": "mikedav",
                "audience": "ITPro" if number % 2 else "Admin",
                "ms.date": f"{number % 12 + 1}/{number + 10}/2025",
                "ms.openlocfilehash": f"{number:040x}",
                "ms.sourcegitcommit": "0" * 40,
                "ms.lasthandoff": "08/26/2025",
                "ms.locfileid": str(58000000 + number),
            },
        )
    repo.commit("commit translated contents")
    return repo


def kcs(repo: GitRepo) -> GitRepo:
    """A support base like kb-content: ids, owners, review dates, statuses."""
    repo.write("kb/README.md", "# Our knowledge base\n")
    repo.write_article("kb/_templates/howto.md", title="Template", id="KB-XXXX")
    for number in range(10):
        repo.write_article(
            f"kb/{'billing' if number % 2 else 'email'}/kb-{number}.md",
            "## Issue\n\nText.\n",
            id=f"KB-{number:04d}",
            title=f"Billing {number}",
            owner="@anna",
            status="validated",
            audience="customer",
            last_reviewed="2026-01-10",
            tags=["billing"],
        )
    repo.commit("kb")
    return repo


@pytest.mark.parametrize(
    ("build", "content"),
    [
        (hugo, "content/en"),
        (jekyll, "_posts"),
        (mkdocs, "docs"),
        (docusaurus, "docs"),
        (microsoft, "Teams"),
        (kcs, "kb"),
    ],
)
def test_init_picks_the_folder_and_the_config_works(
    cli: Cli, git_repo: GitRepo, build: Any, content: str
) -> None:
    build(git_repo)
    _init(cli, git_repo)
    assert _config(git_repo)["content"] == content
    counts = _check_rules(cli, git_repo)
    assert "KB103" not in counts  # required keys are those the base has
    assert "KB105" not in counts  # ids do not clash


def test_hugo_ids_from_paths_aliases_and_section_pages(cli: Cli, git_repo: GitRepo) -> None:
    hugo(git_repo)
    result = _init(cli, git_repo)
    config = _config(git_repo)
    assert config["ids"]["from"] == "path"
    assert config["fields"]["id"] == []  # `slug` is a URL part, not an id
    assert config["fields"]["aliases"] == []  # Hugo aliases are old URLs, not synonyms
    assert "_common/**" in config["exclude"]  # a headless bundle
    assert "**/_index.md" in config["exclude"]
    assert config["check"]["rules"]["KB103"] == {"keys": ["title"]}
    assert config["check"]["rules"]["KB201"] == "off"  # no owners anywhere
    assert "aliases" in result.stderr and "site paths" in result.stderr
    assert "keywords" in config["fields"]["tags"]
    assert config["links"]["style"] == "hugo"  # hugo.toml: site links resolve by URL
    assert config["check"]["rules"]["KB305"] == "warning"  # articles carry `lastmod`
    counts = _check_rules(cli, git_repo)
    assert "KB402" not in counts  # /guides/page-N/ links resolve through the slugs


def test_microsoft_docs_field_map_dates_and_localisation(cli: Cli, git_repo: GitRepo) -> None:
    microsoft(git_repo)
    _init(cli, git_repo)
    config = _config(git_repo)
    fields = config["fields"]
    assert fields["owner"][:2] == ["owner", "ms.author"]
    assert fields["reviewers"] == ["reviewers", "ms.reviewer"]
    assert fields["last_reviewed"] == ["last_reviewed", "ms.date"]
    assert fields["audience"] == []  # ITPro/Admin are not audiences kbctl knows
    assert config["dates"]["slash"] == "month-first"  # 12/22/2025: a middle over 12
    assert "ms.openlocfilehash" in config["history"]["ignore_meta_only_keys"]
    assert "**/includes/**" in config["exclude"]
    assert "KB201" not in config["check"]["rules"]
    counts = _check_rules(cli, git_repo)
    assert "KB104" not in counts and "KB102" not in counts


def test_day_first_dates_are_decided_from_the_data_and_read_so(cli: Cli, git_repo: GitRepo) -> None:
    mkdocs(git_repo)
    result = _init(cli, git_repo)
    config = _config(git_repo)
    assert config["dates"]["slash"] == "day-first"  # 25/12/2025 settles it
    assert "D/M/YYYY" in result.stderr
    assert config["fields"]["owner"] == ["owner"]
    assert "index.md" in config["exclude"]  # no front matter
    shown = cli("show", "topics/topic-3.md", "--format", "json", cwd=git_repo.path)
    assert json.loads(shown.stdout)["last_reviewed"] == "2025-11-03"
    assert "KB102" not in _check_rules(cli, git_repo)


def test_kcs_base_keeps_its_ids_and_required_keys(cli: Cli, git_repo: GitRepo) -> None:
    kcs(git_repo)
    _init(cli, git_repo)
    config = _config(git_repo)
    assert config["ids"]["from"] == "key"
    assert config["fields"]["id"] == ["id"]
    assert config["check"]["rules"]["KB103"] == {"keys": ["id", "title"]}
    assert "**/_templates/**" in config["exclude"]
    assert "README.md" in config["exclude"]
    assert config["fields"]["status"] == ["status"]
    assert config["fields"]["audience"] == ["audience"]
    assert "KB201" not in _check_rules(cli, git_repo)


def test_docusaurus_finds_codeowners_and_site_conventions(cli: Cli, git_repo: GitRepo) -> None:
    docusaurus(git_repo)
    result = _init(cli, git_repo, "--dry-run")
    assert 'codeowners = ".github/CODEOWNERS"' in result.stdout
    assert "slug" in result.stdout and "baseUrl" in result.stdout


def test_dry_run_writes_nothing_and_prints_the_file(cli: Cli, git_repo: GitRepo) -> None:
    jekyll(git_repo)
    result = _init(cli, git_repo, "--dry-run")
    assert not (git_repo.path / "kbctl.toml").exists()
    assert tomllib.loads(result.stdout)["content"] == "_posts"
    assert "kbctl init:" in result.stderr and "kbctl init:" not in result.stdout


def test_never_overwrites_without_force(cli: Cli, git_repo: GitRepo) -> None:
    jekyll(git_repo)
    (git_repo.path / "kbctl.toml").write_text("# mine\n", encoding="utf-8")
    result = cli("init", str(git_repo.path))
    assert result.exit_code == 2
    assert "exists" in result.stderr and "--force" in result.stderr
    assert (git_repo.path / "kbctl.toml").read_text(encoding="utf-8") == "# mine\n"
    _init(cli, git_repo, "--force")
    assert _config(git_repo)["content"] == "_posts"


def test_refuses_to_write_through_a_link(cli: Cli, git_repo: GitRepo, tmp_path: Path) -> None:
    jekyll(git_repo)
    outside = tmp_path / "outside.toml"
    (git_repo.path / "kbctl.toml").symlink_to(outside)
    result = cli("init", str(git_repo.path), "--force")
    assert result.exit_code == 2
    assert not outside.exists()


def test_a_broken_front_matter_does_not_stop_init(cli: Cli, git_repo: GitRepo) -> None:
    kcs(git_repo)
    git_repo.write("kb/billing/broken.md", "---\ntitle: [unclosed\n---\nText\n")
    git_repo.write("kb/billing/binary.md", b"---\ntitle: \xff\xfe\n---\n")
    _init(cli, git_repo)
    assert _config(git_repo)["content"] == "kb"


def test_a_fifo_named_like_an_article_never_hangs_init(tmp_path: Path) -> None:
    base = tmp_path / "base"
    (base / "docs").mkdir(parents=True)
    (base / "docs" / "a.md").write_text("---\ntitle: A\n---\nText\n", encoding="utf-8")
    os.mkfifo(base / "docs" / "trap.md")
    result = run_kbctl("init", str(base), "--dry-run", timeout=30)
    assert result.returncode == 0, result.stderr


def test_docfx_links_to_other_docsets_are_not_checked_but_links_into_the_base_are(
    cli: Cli, git_repo: GitRepo
) -> None:
    microsoft(git_repo)
    git_repo.write(
        ".openpublishing.publish.config.json",
        json.dumps({"docsets_to_publish": [{"docset_name": "OfficeDocs-MicrosoftTeams"}]}),
    )
    git_repo.write_article(
        "Teams/links.md",
        "See [cmdlet](/powershell/module/teams/get-cs) and [ours](/microsoftteams/nowhere).\n",
        title="Ссылки",
        **{"ms.author": "tonysmit"},
    )
    git_repo.commit("links")
    _init(cli, git_repo)
    config = _config(git_repo)
    assert config["links"]["ignore"] == ["/powershell/**"]
    result = cli("check", "--format", "json", "--today", "2026-02-01", cwd=git_repo.path)
    broken = [f["message"] for f in json.loads(result.stdout)["findings"] if f["rule"] == "KB402"]
    assert broken == ["link to missing file /microsoftteams/nowhere"]


def test_hugo_markup_settings_and_link_hooks_are_read(cli: Cli, git_repo: GitRepo) -> None:
    hugo(git_repo)
    git_repo.write(
        "hugo.toml",
        'baseURL = "https://example.org/"\n[markup.goldmark.parser.attribute]\n'
        "[markup.goldmark.parser]\n  autoDefinitionTermID = true\n",
    )
    git_repo.write(
        "layouts/_markup/render-link.html",
        '{{- $u := urls.Parse .Destination }}{{- if eq $u.String "g" }}glossary{{ end }}\n',
    )
    git_repo.write_article(
        "content/en/guides/terms.md",
        "term\n: A [term](g) and a [defined one](#term).\n",
        title="Terms",
    )
    git_repo.commit("glossary hook")
    _init(cli, git_repo)
    links = _config(git_repo)["links"]
    assert links["ignore"] == ["g"] and links["term_anchors"] is True
    counts = _check_rules(cli, git_repo)
    assert "KB402" not in counts and "KB403" not in counts
