"""The quick freshness check (kbctl.search.snapshot): never staler than the full check."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from kbctl.articles.ignore import IGNORE_FILES
from kbctl.config import Config, load_config
from kbctl.search import snapshot
from kbctl.search.index import config_fingerprint, current_folder, open_index
from kbctl.search.query import search
from tests.conftest import article_text


def write(root: Path, relative: str, body: str, **front: object) -> Path:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(article_text(body, **front), encoding="utf-8")
    return path


@pytest.fixture
def base(tmp_path: Path) -> Path:
    root = tmp_path / "kb"
    write(root, "email/bounce.md", "The mail bounced with error 550.\n", title="Bounce")
    write(root, "billing/refund.md", "How to refund a card payment.\n", title="Refunds")
    write(root, "accounts/sso.md", "SAML signature invalid in Okta.\n", title="SSO login fails")
    return root


def paths(config: Config, query: str) -> list[str]:
    return sorted(hit.path for hit in search(config, query).hits)


def holds(config: Config) -> int | None:
    folder = current_folder(config)
    assert folder is not None
    return snapshot.snapshot_holds(folder, config, config_fingerprint(config))


@pytest.fixture
def config(base: Path) -> Config:
    config = load_config(kb=str(base))
    assert paths(config, "refund") == ["billing/refund.md"]  # builds the index
    assert holds(config) == 3  # the build left a snapshot that vouches for all three
    return config


def test_the_ignore_file_names_are_the_scans(config: Config) -> None:
    assert snapshot.IGNORE_FILES == IGNORE_FILES


def test_an_uncommitted_edit_is_found_at_once(config: Config, base: Path) -> None:
    write(base, "billing/refund.md", "How to refund a card payment. Quokka.\n", title="Refunds")
    assert holds(config) is None
    assert paths(config, "quokka") == ["billing/refund.md"]
    assert holds(config) == 3  # the update took a new snapshot


def test_an_edit_of_the_same_size_is_found(config: Config, base: Path) -> None:
    path = base / "billing/refund.md"
    before = path.stat().st_mtime_ns
    path.write_text(path.read_text(encoding="utf-8").replace("card", "lynx"), encoding="utf-8")
    os.utime(path, ns=(before + 1_000_000, before + 1_000_000))
    assert paths(config, "lynx") == ["billing/refund.md"]


def test_added_removed_renamed_and_new_folders_are_found(config: Config, base: Path) -> None:
    write(base, "billing/invoice.md", "Invoice quokka.\n", title="Invoices")
    assert paths(config, "quokka") == ["billing/invoice.md"]
    write(base, "new/deep/folder/vpn.md", "VPN quokka.\n", title="VPN")
    assert paths(config, "quokka") == ["billing/invoice.md", "new/deep/folder/vpn.md"]
    (base / "billing/invoice.md").rename(base / "email/invoice.md")
    assert paths(config, "quokka") == ["email/invoice.md", "new/deep/folder/vpn.md"]
    shutil.rmtree(base / "new")
    (base / "email/invoice.md").unlink()
    assert paths(config, "quokka") == []
    assert holds(config) == 3


def test_a_save_by_rename_is_found(config: Config, base: Path) -> None:
    temporary = write(base, "email/.bounce.md.swp", "The mail bounced. Quokka.\n", title="Bounce")
    temporary.replace(base / "email/bounce.md")
    assert paths(config, "quokka") == ["email/bounce.md"]


def test_an_edited_ignore_file_is_found(config: Config, base: Path) -> None:
    ignore = base / ".ignore"
    ignore.write_text("billing/\n", encoding="utf-8")
    assert paths(config, "refund") == []
    assert holds(config) == 2
    # Edited in place: the folder's time does not move, the file's does.
    with ignore.open("r+", encoding="utf-8") as handle:
        handle.write("nothing/\n")
    assert paths(config, "refund") == ["billing/refund.md"]


def test_a_snapshot_left_after_a_touch_is_retaken(config: Config, base: Path) -> None:
    path = base / "accounts/sso.md"
    os.utime(path, ns=(1_000_000_000, 1_000_000_000))
    assert holds(config) is None
    assert paths(config, "okta") == ["accounts/sso.md"]
    assert holds(config) == 3


def test_a_replaced_folder_or_a_link_is_not_trusted(config: Config, base: Path) -> None:
    (base / "accounts/sso.md").unlink()
    (base / "accounts/sso.md").symlink_to(base / "billing/refund.md")
    assert holds(config) is None
    assert paths(config, "okta") == []


def test_a_damaged_or_foreign_snapshot_sends_to_the_full_check(config: Config) -> None:
    folder = current_folder(config)
    assert folder is not None
    data = (folder / snapshot.SNAPSHOT_FILE).read_bytes()
    for broken in (b"", data[:12], b"\xff" * 40, data[:-3]):
        (folder / snapshot.SNAPSHOT_FILE).write_bytes(broken)
        assert holds(config) is None
    other = load_config(kb=str(config.root))
    assert snapshot.snapshot_holds(folder, other, "another fingerprint") is None


def test_open_index_uses_the_snapshot_and_counts_the_articles(config: Config) -> None:
    index = open_index(config)
    try:
        assert index.report.total == 3 and not index.report.touched
    finally:
        index.ix.close()
