"""SECURITY.md names a test for every promise: each named test must exist."""

from __future__ import annotations

import re

from tests.conftest import PROJECT_ROOT

ROW = re.compile(r"^\| (\d+) \| (.+?) \| (.+) \|$", re.MULTILINE)


def named_tests() -> list[tuple[str, str]]:
    """(file, test) for every test a promise of SECURITY.md names."""
    text = (PROJECT_ROOT / "SECURITY.md").read_text(encoding="utf-8")
    found: list[tuple[str, str]] = []
    for _number, _promise, tests in ROW.findall(text):
        current = None
        for match in re.finditer(r"`(test_\w+\.py)?::(test_\w+)`", tests):
            current = match.group(1) or current
            assert current, f"SECURITY.md: {match.group(0)} names no file"
            found.append((current, match.group(2)))
    return found


def test_every_promise_names_tests_that_exist() -> None:
    tests = named_tests()
    assert len(tests) >= 17
    for file, name in tests:
        source = (PROJECT_ROOT / "tests" / file).read_text(encoding="utf-8")
        assert re.search(rf"^def {name}\(", source, re.MULTILINE), f"{file}::{name} is missing"
