"""The signature cache of ``kbctl duplicates``: a warm run shingles only edited articles; a
cache kbctl did not write (tampered, planted, malformed) is ignored, never trusted."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kbctl.cachefile import read_sealed, write_sealed
from kbctl.config import cache_root, load_config
from kbctl.duplicates import SignatureCache, find_duplicates, signatures
from kbctl.duplicates.cache import CACHE_FILE
from kbctl.model import Article
from kbctl.workspace import Workspace
from tests.conftest import Cli

EDITED = "integrations/calendar-meetings-not-syncing.md"  # KB-0061, base-relative


def load(kb: Path) -> Workspace:
    return Workspace(config=load_config(cwd=kb))


def live(ws: Workspace) -> list[Article]:
    return [article for article in ws.articles if not article.is_archived]


def run(ws: Workspace) -> tuple[SignatureCache, list[tuple[str, ...]]]:
    """One detection with the base's cache, saved as the commands do."""
    cache = SignatureCache.open(ws.config)
    groups = find_duplicates(ws.articles, cache=cache)
    cache.save({article.path for article in ws.articles})
    return cache, [tuple(group.paths) for group in groups]


def stored(ws: Workspace) -> dict[str, list[object]]:
    data = read_sealed(cache_root(ws.config) / CACHE_FILE)
    assert data is not None
    return json.loads(data)["entries"]


def test_a_warm_run_computes_only_the_edited_article(kb_copy: Path) -> None:
    ws = load(kb_copy)
    cold, groups = run(ws)
    assert sorted(cold.computed) == sorted(article.path for article in live(ws))
    assert len(groups) == 2  # the planted pairs of kb-content
    before = stored(ws)

    warm, again = run(load(kb_copy))
    assert warm.computed == [] and again == groups

    edited = kb_copy / "kb-content" / EDITED
    edited.write_text(
        edited.read_text(encoding="utf-8") + "\nOne more line about the calendar sync.\n",
        encoding="utf-8",
    )
    ws = load(kb_copy)
    after_edit, still = run(ws)
    assert after_edit.computed == [EDITED]
    assert still == groups
    after = stored(ws)
    changed = {path for path in after if after[path] != before.get(path)}
    assert changed == set(after_edit.computed)  # the file: one entry rewritten, others kept


def test_cached_signatures_equal_computed_ones(kb_copy: Path) -> None:
    ws = load(kb_copy)
    fresh = signatures(live(ws))
    run(ws)
    cache = SignatureCache.open(ws.config)
    cached = signatures(live(ws), cache)
    assert cache.computed == []
    for one, two in zip(fresh, cached, strict=True):
        assert (one.digest, one.language, one.shingles) == (two.digest, two.language, two.shingles)
        assert one.values.tolist() == two.values.tolist()


def test_a_tampered_cache_is_ignored(kb_copy: Path) -> None:
    ws = load(kb_copy)
    run(ws)
    file = cache_root(ws.config) / CACHE_FILE
    blob = bytearray(file.read_bytes())
    blob[-10] ^= 0x01  # one bit of one signature
    file.write_bytes(bytes(blob))
    assert SignatureCache.open(ws.config).entries == {}
    again, groups = run(load(kb_copy))
    assert len(again.computed) == len(live(ws)) and len(groups) == 2


def test_an_unsealed_cache_is_never_decoded(kb_copy: Path) -> None:
    ws = load(kb_copy)
    run(ws)
    file = cache_root(ws.config) / CACHE_FILE
    plain = read_sealed(file)
    assert plain is not None
    file.write_bytes(plain)  # the right JSON, without kbctl's seal (planted or copied)
    assert SignatureCache.open(ws.config).entries == {}


def test_malformed_entries_in_a_sealed_file_are_skipped(kb_copy: Path) -> None:
    ws = load(kb_copy)
    run(ws)
    file = cache_root(ws.config) / CACHE_FILE
    data = json.loads(read_sealed(file) or b"")
    paths = sorted(data["entries"])
    good = data["entries"][paths[0]]
    data["entries"][paths[1]] = [good[0], "xx", good[2], good[3]]  # no such language
    data["entries"][paths[2]] = [good[0], good[1], good[2], good[3][:-8]]  # short signature
    data["entries"][paths[3]] = {"digest": good[0]}
    data["entries"][paths[4]] = [good[0], good[1], -1, good[3]]
    write_sealed(file, json.dumps(data).encode())
    cache = SignatureCache.open(ws.config)
    assert set(paths) - set(cache.entries) == set(paths[1:5])
    signatures(live(ws), cache)
    assert sorted(cache.computed) == paths[1:5]


def test_other_parameters_make_every_entry_stale(
    kb_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ws = load(kb_copy)
    run(ws)
    monkeypatch.setattr(SignatureCache, "VERSION", SignatureCache.VERSION + 1)
    assert SignatureCache.open(ws.config).entries == {}


def test_deleted_articles_leave_the_cache(kb_copy: Path) -> None:
    ws = load(kb_copy)
    run(ws)
    (kb_copy / "kb-content" / EDITED).unlink()
    ws = load(kb_copy)
    run(ws)
    assert EDITED not in stored(ws) and len(stored(ws)) == len(live(ws))


def test_the_duplicates_command_keeps_the_cache(cli: Cli, kb_copy: Path) -> None:
    first = cli("duplicates", "--format", "json", cwd=kb_copy)
    ws = load(kb_copy)
    assert first.exit_code == 1 and len(stored(ws)) == len(live(ws))
    second = cli("duplicates", "--format", "json", cwd=kb_copy)
    assert second.exit_code == 1 and json.loads(second.stdout) == json.loads(first.stdout)


def test_numpy_banding_finds_exactly_the_pairs_datasketch_lsh_finds() -> None:
    import random

    from datasketch import LeanMinHash, MinHash, MinHashLSH

    from kbctl.duplicates.detect import LSH_MARGIN, NUM_PERM, _lsh_pairs, _signatures, fingerprint
    from tests.test_duplicates import article

    chooser = random.Random(11)
    words = [f"word{number}" for number in range(400)]
    bodies = [" ".join(chooser.choices(words, k=120)) for _ in range(200)]
    bodies += [body[: len(body) // 2] + " extra words here" for body in bodies[:20]]
    values = _signatures([fingerprint(article(f"a{n}.md", b)) for n, b in enumerate(bodies)])
    for threshold in (0.3, 0.6):
        lsh = MinHashLSH(threshold=threshold - LSH_MARGIN, num_perm=NUM_PERM)
        scheme = MinHash(num_perm=NUM_PERM).scheme
        lean = [LeanMinHash(seed=1, hashvalues=item, scheme=scheme) for item in values]
        for number, item in enumerate(lean):
            lsh.insert(number, item)
        expected = {
            (min(number, other), max(number, other))
            for number, item in enumerate(lean)
            for other in lsh.query(item)
            if other != number
        }
        assert len(expected) >= (20 if threshold == 0.3 else 5)  # half-copies found
        assert _lsh_pairs(values, threshold) == expected


def test_lsh_bands_are_datasketchs_choice_for_every_threshold() -> None:
    from datasketch.lsh import _optimal_param

    from kbctl.duplicates.detect import NUM_PERM, lsh_bands

    for percent in range(5, 96):
        threshold = percent / 100
        assert lsh_bands(threshold) == _optimal_param(threshold, NUM_PERM, 0.5, 0.5), threshold


def test_a_warm_run_does_not_import_datasketch(kb_copy: Path) -> None:
    import subprocess
    import sys

    # Both runs in child processes: the seal key is read once per process from $HOME.
    code = (
        "import sys; from pathlib import Path; from kbctl.config import load_config;"
        "from kbctl.workspace import Workspace;"
        "from kbctl.duplicates import SignatureCache, find_duplicates;"
        f"ws = Workspace(config=load_config(cwd=Path({str(kb_copy)!r})));"
        "cache = SignatureCache.open(ws.config); groups = find_duplicates(ws.articles, cache=cache);"
        "cache.save({a.path for a in ws.articles});"
        "print(len(groups), len(cache.computed) > 0, 'datasketch' in sys.modules)"
    )

    def child() -> list[str]:
        command = [sys.executable, "-c", code]
        return subprocess.run(command, capture_output=True, text=True, check=True).stdout.split()

    assert child() == ["2", "True", "True"]  # cold: MinHash computed with datasketch
    assert child() == ["2", "False", "False"]  # warm: cached signatures, own LSH banding
