"""Generate a synthetic knowledge-base repository with ``git fast-import`` (deterministic).

Articles have realistic front matter (id, title, owner, tags, status, last_reviewed, some
review_interval), half of them Russian (a quarter of those with Cyrillic file names). The
history grows the base, edits articles with a skew (a few hot articles), renames and moves
some (with and without edits), merges side branches (some changes made only in the merge),
bumps review dates, and makes a few bulk metadata sweeps. Author dates carry offsets and
are sometimes out of log order (rebases).

    python bench/gen_repo.py --files 10000 --commits 50000 --out /tmp/repo10k
    python bench/gen_repo.py --files 1000 --commits 5000 --out /tmp/repo1k
    python bench/gen_repo.py --one-commit 50000 --out /tmp/repo-import50k

``--one-commit N`` writes a base imported in one commit: the layout commit, then a single
commit adding N articles (no other history), the worst case for a per-commit cost.

The base is ``kb/`` (``kbctl.toml`` at the root says so); ``src/`` holds some code so that
the base is a subfolder of a larger repository.
"""

from __future__ import annotations

import argparse
import random
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import BinaryIO

TODAY = datetime(2026, 11, 22, tzinfo=UTC)
TOPICS_EN = ["billing", "accounts", "email", "api", "integrations", "faq", "howto", "security"]
SUBTOPICS = [
    "setup",
    "errors",
    "limits",
    "reports",
    "mobile",
    "web",
    "admin",
    "sso",
    "export",
    "import",
    "plans",
    "legacy",
]
TOPICS_RU = ["оплата", "аккаунты", "почта", "интеграции", "вопросы"]
WORDS_EN = [
    "customer",
    "invoice",
    "refund",
    "payment",
    "card",
    "account",
    "login",
    "password",
    "reset",
    "token",
    "webhook",
    "signature",
    "request",
    "limit",
    "error",
    "message",
    "mailbox",
    "spam",
    "domain",
    "record",
    "server",
    "timeout",
    "retry",
    "export",
    "import",
    "report",
    "dashboard",
    "permission",
    "role",
    "team",
    "owner",
    "setting",
    "plan",
    "seat",
    "upgrade",
]
WORDS_RU = [
    "клиент",
    "счёт",
    "возврат",
    "оплата",
    "карта",
    "аккаунт",
    "вход",
    "пароль",
    "сброс",
    "токен",
    "вебхук",
    "подпись",
    "запрос",
    "лимит",
    "ошибка",
    "сообщение",
    "ящик",
    "спам",
    "домен",
    "запись",
    "сервер",
    "таймаут",
    "повтор",
    "выгрузка",
    "загрузка",
    "отчёт",
    "панель",
    "доступ",
    "роль",
    "команда",
    "владелец",
    "настройка",
    "тариф",
    "место",
]
TRANSLIT = str.maketrans(
    {
        "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh",
        "з": "z", "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o",
        "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "h", "ц": "ts",
        "ч": "ch", "ш": "sh", "щ": "sch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu",
        "я": "ya",
    }
)  # fmt: skip
OFFSETS = [timezone(timedelta(hours=h)) for h in (0, 3, 3, 3, -5, 1, 5)]


@dataclass
class Doc:
    """One article's state in the generator."""

    number: int
    path: str
    russian: bool
    title: str
    owner: str
    tags: list[str]
    reviewed: datetime
    version: int = 0
    sweep: int = 0


class Generator:
    """Writes a fast-import stream for a synthetic history."""

    def __init__(
        self, files: int, commits: int, seed: int, out: BinaryIO, *, one_commit: bool = False
    ) -> None:
        self.one_commit = one_commit
        self.random = random.Random(seed)
        self.files = files
        self.commits = commits
        self.out = out
        self.mark = 0
        self.docs: list[Doc] = []
        self.authors = [(f"Writer {n:02}", f"writer{n:02}@relay.example") for n in range(40)] + [
            ("Анна Петрова", "anna.petrova@relay.example"),
            ("Иван Сидоров", "ivan@relay.example"),
        ]
        self.owners = [f"@writer{n:02}" for n in range(40)] + ["@relay/billing", "@relay/support"]
        self.clock = datetime(2019, 1, 1, 9, tzinfo=UTC)
        self.main_mark = 0

    # -- content ---------------------------------------------------------------------------

    def words(self, russian: bool, count: int) -> str:
        pool = WORDS_RU if russian else WORDS_EN
        return " ".join(self.random.choice(pool) for _ in range(count))

    def new_doc(self) -> Doc:
        number = len(self.docs) + 1
        russian = number % 2 == 0
        title = self.words(russian, self.random.randint(3, 6)).capitalize()
        topic = self.random.choice(TOPICS_RU if russian and number % 8 == 0 else TOPICS_EN)
        slug = title.lower().replace(" ", "-")
        if russian and number % 8 != 0:
            slug = slug.translate(TRANSLIT)
        # About a hundred articles per folder at 10k, as in real bases (flat folders of
        # thousands make every tree diff slow and are rare).
        folder = SUBTOPICS[number % len(SUBTOPICS)] if number > 200 else "general"
        path = f"kb/{topic}/{folder}/{slug[:60]}-{number}.md"
        reviewed = TODAY - timedelta(days=self.random.randint(0, 900))
        tags = self.random.sample(TOPICS_EN, 2)
        return Doc(number, path, russian, title, self.random.choice(self.owners), tags, reviewed)

    def content(self, doc: Doc) -> bytes:
        rng = random.Random(doc.number * 1_000_003 + doc.version)
        pool = WORDS_RU if doc.russian else WORDS_EN
        paragraphs = []
        for _ in range(rng.randint(4, 9)):
            sentence_count = rng.randint(2, 5)
            paragraphs.append(
                " ".join(
                    " ".join(rng.choice(pool) for _ in range(rng.randint(6, 14))).capitalize() + "."
                    for _ in range(sentence_count)
                )
            )
        interval = "review_interval: 90d\n" if doc.number % 7 == 0 else ""
        sweep = f"updated_by_sweep: {doc.sweep}\n" if doc.sweep else ""
        front = (
            f'---\nid: KB-{doc.number:05}\ntitle: "{doc.title}"\nowner: "{doc.owner}"\n'
            f"tags: [{', '.join(doc.tags)}]\nstatus: validated\n"
            f"last_reviewed: {doc.reviewed.date().isoformat()}\n{interval}{sweep}---\n"
        )
        heading = "## Проблема" if doc.russian else "## Issue"
        fix = "## Решение" if doc.russian else "## Resolution"
        body = f"# {doc.title}\n\n{heading}\n\n{paragraphs[0]}\n\n{fix}\n\n" + "\n\n".join(
            paragraphs[1:]
        )
        return (front + body + "\n").encode("utf-8")

    # -- fast-import -----------------------------------------------------------------------

    def write(self, text: str) -> None:
        self.out.write(text.encode("utf-8"))

    def data(self, payload: bytes) -> None:
        self.out.write(b"data %d\n" % len(payload))
        self.out.write(payload)
        self.out.write(b"\n")

    def tick(self) -> tuple[datetime, datetime]:
        self.clock += timedelta(minutes=self.random.randint(5, 180))
        authored = self.clock
        if self.random.random() < 0.05:  # rebased: authored earlier than its neighbours
            authored -= timedelta(hours=self.random.randint(1, 72))
        return authored.astimezone(self.random.choice(OFFSETS)), self.clock

    @staticmethod
    def stamp(moment: datetime) -> str:
        offset = moment.utcoffset() or timedelta(0)
        minutes = int(offset.total_seconds() // 60)
        sign = "+" if minutes >= 0 else "-"
        return f"{int(moment.timestamp())} {sign}{abs(minutes) // 60:02}{abs(minutes) % 60:02}"

    def commit(
        self,
        ref: str,
        message: str,
        changes: list[tuple[str, ...]],
        *,
        parent: int | None,
        merge: int | None = None,
    ) -> int:
        self.mark += 1
        authored, committed = self.tick()
        name, email = self.random.choice(self.authors)
        self.write(f"commit {ref}\nmark :{self.mark}\n")
        self.write(f"author {name} <{email}> {self.stamp(authored)}\n")
        self.write(f"committer {name} <{email}> {self.stamp(committed)}\n")
        self.data(message.encode("utf-8"))
        if parent is not None:
            self.write(f"from :{parent}\n")
        if merge is not None:
            self.write(f"merge :{merge}\n")
        for change in changes:
            if change[0] == "M":
                self.write(f'M 100644 inline "{_quote(change[1])}"\n')
                self.data(change[2].encode("utf-8") if isinstance(change[2], str) else change[2])
            elif change[0] == "D":
                self.write(f'D "{_quote(change[1])}"\n')
            elif change[0] == "R":
                self.write(f'R "{_quote(change[1])}" "{_quote(change[2])}"\n')
        self.write("\n")
        return self.mark

    # -- history ---------------------------------------------------------------------------

    def pick(self) -> Doc:
        # Skewed: a tenth of the articles get half of the edits.
        if self.random.random() < 0.5:
            return self.docs[self.random.randrange(max(1, len(self.docs) // 10))]
        return self.random.choice(self.docs)

    def edit(self, doc: Doc, review: bool = False) -> tuple[str, str, bytes]:
        doc.version += 1
        if review:
            doc.reviewed = min(TODAY, self.clock) - timedelta(days=self.random.randint(0, 3))
        return ("M", doc.path, self.content(doc))

    def run(self) -> None:
        code = b"def main() -> None:\n    print('relay')\n"
        config = b'content = "kb"\nreview_interval = "180d"\n'
        self.main_mark = self.commit(
            "refs/heads/main",
            "Initial layout",
            [("M", "src/app.py", code), ("M", "kbctl.toml", config), ("M", "README.md", b"# KB\n")],
            parent=None,
        )
        if self.one_commit:
            imported: list[tuple[str, ...]] = []
            while len(self.docs) < self.files:
                doc = self.new_doc()
                self.docs.append(doc)
                imported.append(("M", doc.path, self.content(doc)))
            message = f"Import the knowledge base ({len(imported)} articles)"
            self.main_mark = self.commit(
                "refs/heads/main", message, imported, parent=self.main_mark
            )
            return
        sweeps = {int(self.commits * share) for share in (0.35, 0.6, 0.85)}
        made = 1
        creation_share = 0.4  # the base grows during the first 40% of the history
        while made < self.commits:
            made += 1
            progress = made / self.commits
            roll = self.random.random()
            changes: list[tuple[str, ...]]
            if made in sweeps and self.docs:
                # A metadata sweep touching a third of the base.
                chosen = self.random.sample(self.docs, max(1, len(self.docs) // 3))
                sweep = made
                changes = []
                for doc in chosen:
                    doc.sweep = sweep
                    changes.append(("M", doc.path, self.content(doc)))
                message = f"Sweep: add updated_by_sweep to {len(chosen)} articles"
            elif len(self.docs) < self.files and (
                progress < creation_share or len(self.docs) < self.files * progress / creation_share
            ):
                changes = []
                for _ in range(self.random.randint(1, 3)):
                    if len(self.docs) >= self.files:
                        break
                    doc = self.new_doc()
                    self.docs.append(doc)
                    changes.append(("M", doc.path, self.content(doc)))
                message = f"Add {len(changes)} article(s)"
            elif roll < 0.01 and self.docs:
                doc = self.pick()
                old = doc.path
                topic = self.random.choice(TOPICS_EN)
                folder = self.random.choice(SUBTOPICS)
                doc.path = f"kb/{topic}/{folder}/{old.rsplit('/', 1)[1]}"
                if doc.path == old:
                    made -= 1
                    continue
                changes = [("R", old, doc.path)]
                if self.random.random() < 0.5:
                    changes.append(self.edit(doc))
                message = f"Move {old.rsplit('/', 1)[1]} to {topic}"
            elif roll < 0.06 and self.docs:
                # A side branch with one edit, merged back; sometimes the merge changes more.
                doc = self.pick()
                side = self.commit(
                    "refs/heads/side", f"Edit {doc.path}", [self.edit(doc)], parent=self.main_mark
                )
                made += 1
                # The merge's tree carries the side's change; a fifth also change another file.
                merge_changes = [("M", doc.path, self.content(doc))]
                other = self.pick()
                if self.random.random() < 0.2 and other is not doc:
                    merge_changes.append(self.edit(other))
                self.main_mark = self.commit(
                    "refs/heads/main", "Merge branch 'side'", merge_changes,
                    parent=self.main_mark, merge=side,
                )  # fmt: skip
                continue
            elif roll < 0.12 and self.docs:
                doc = self.pick()
                changes = [self.edit(doc, review=True)]
                message = f"Review {doc.path.rsplit('/', 1)[1]}"
            else:
                changes = [self.edit(self.pick()) for _ in range(self.random.randint(1, 3))]
                message = "Update " + ", ".join(c[1].rsplit("/", 1)[1] for c in changes)
            self.main_mark = self.commit("refs/heads/main", message, changes, parent=self.main_mark)


def _quote(path: str) -> str:
    return path.replace("\\", "\\\\").replace('"', '\\"')


def generate(
    files: int, commits: int, out: Path, seed: int = 42, *, one_commit: bool = False
) -> Path:
    """Create the repository at ``out`` (replacing it) and check out its files.

    ``one_commit``: the ``files`` articles are added in one commit after the layout commit,
    and ``commits`` is ignored.
    """
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    subprocess.run(["git", "init", "-q", "-b", "main", str(out)], check=True)
    process = subprocess.Popen(
        ["git", "fast-import", "--quiet", "--done"],
        cwd=out,
        stdin=subprocess.PIPE,
    )
    assert process.stdin is not None
    generator = Generator(files, commits, seed, process.stdin, one_commit=one_commit)
    generator.run()
    process.stdin.write(b"done\n")
    process.stdin.close()
    if process.wait() != 0:
        raise SystemExit("git fast-import failed")
    subprocess.run(["git", "checkout", "-q", "-f", "main"], cwd=out, check=True)
    # fast-import writes a loosely packed repository; a clone from a server is repacked.
    subprocess.run(["git", "repack", "-q", "-a", "-d"], cwd=out, check=True)
    if not one_commit:
        subprocess.run(["git", "branch", "-q", "-D", "side"], cwd=out, check=False)
    return out


def main(argv: list[str] | None = None) -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=1000, help="number of articles")
    parser.add_argument("--commits", type=int, default=5000, help="number of commits")
    parser.add_argument("--out", type=Path, required=True, help="repository folder (replaced)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument(
        "--one-commit",
        type=int,
        metavar="N",
        help="a base of N articles added in a single commit (overrides --files and --commits)",
    )
    options = parser.parse_args(argv)
    started = time.perf_counter()
    if options.one_commit:
        options.files = options.one_commit
    generate(
        options.files, options.commits, options.out, options.seed,
        one_commit=bool(options.one_commit),
    )  # fmt: skip
    count = subprocess.run(
        ["git", "rev-list", "--count", "HEAD"], cwd=options.out, capture_output=True, text=True
    ).stdout.strip()
    sys.stderr.write(
        f"{options.out}: {options.files} articles, {count} commits "
        f"in {time.perf_counter() - started:.1f}s\n"
    )


if __name__ == "__main__":
    main()
