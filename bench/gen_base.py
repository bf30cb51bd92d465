"""Generate a synthetic knowledge base for benchmarks: N articles, half Russian, 2-4 KB each.

Deterministic for a given seed. Words follow a Zipf-like distribution over a vocabulary that
grows with the base (common support words plus a long tail of generated words and codes), so
index size and term counts behave like a real base, not like lorem ipsum.

    python bench/gen_base.py /tmp/kbctl-bench/base-10000 10000 --seed 42
"""

from __future__ import annotations

import argparse
import random
from datetime import date, timedelta
from itertools import accumulate
from pathlib import Path

RUSSIAN_COMMON = [
    "клиент",
    "клиента",
    "клиенту",
    "письмо",
    "письма",
    "писем",
    "пароль",
    "пароля",
    "сброс",
    "сбросить",
    "вход",
    "войти",
    "ошибка",
    "ошибки",
    "ошибку",
    "настройка",
    "настройки",
    "настроить",
    "приложение",
    "приложения",
    "уведомление",
    "уведомления",
    "оплата",
    "оплаты",
    "счёт",
    "счета",
    "подписка",
    "подписки",
    "возврат",
    "средств",
    "домен",
    "домена",
    "почта",
    "почты",
    "тикет",
    "тикета",
    "тикеты",
    "агент",
    "агента",
    "поддержка",
    "поддержки",
    "интеграция",
    "интеграции",
    "вебхук",
    "вебхука",
    "ключ",
    "ключа",
    "доступ",
    "доступа",
    "права",
    "роль",
    "роли",
    "пользователь",
    "пользователя",
    "пользователей",
    "аккаунт",
    "аккаунта",
    "телефон",
    "телефона",
    "код",
    "кода",
    "проверка",
    "проверки",
    "отправка",
    "отправить",
    "получить",
    "получает",
    "приходит",
    "приходят",
    "не",
    "на",
    "в",
    "с",
    "по",
    "для",
    "из",
    "при",
    "если",
    "когда",
    "после",
    "перед",
    "чтобы",
    "нужно",
    "можно",
    "нельзя",
    "сервер",
    "сервера",
    "запрос",
    "запроса",
    "ответ",
    "ответа",
    "страница",
    "страницы",
    "данные",
    "данных",
    "файл",
    "файла",
    "загрузка",
    "загрузки",
    "выгрузка",
    "экспорт",
    "импорт",
    "синхронизация",
    "синхронизации",
    "отчёт",
    "отчёта",
]
ENGLISH_COMMON = [
    "customer",
    "customers",
    "email",
    "emails",
    "password",
    "reset",
    "login",
    "sign",
    "error",
    "errors",
    "setting",
    "settings",
    "configure",
    "app",
    "application",
    "notification",
    "notifications",
    "payment",
    "invoice",
    "subscription",
    "refund",
    "domain",
    "mail",
    "ticket",
    "tickets",
    "agent",
    "support",
    "integration",
    "webhook",
    "key",
    "access",
    "permission",
    "role",
    "user",
    "users",
    "account",
    "phone",
    "code",
    "verification",
    "send",
    "receive",
    "not",
    "on",
    "in",
    "with",
    "for",
    "from",
    "when",
    "after",
    "before",
    "need",
    "can",
    "cannot",
    "server",
    "request",
    "response",
    "page",
    "data",
    "file",
    "upload",
    "download",
    "export",
    "import",
    "sync",
    "report",
    "the",
    "a",
    "an",
    "to",
    "of",
    "is",
    "are",
    "was",
    "be",
    "this",
    "that",
    "it",
    "and",
    "or",
    "but",
    "if",
    "then",
]
_RU_FUNCTION_WORDS = {
    "не",
    "на",
    "в",
    "с",
    "по",
    "для",
    "из",
    "при",
    "если",
    "когда",
    "после",
    "перед",
    "чтобы",
    "нужно",
    "можно",
    "нельзя",
}
_EN_FUNCTION_WORDS = {
    "not",
    "on",
    "in",
    "with",
    "for",
    "from",
    "when",
    "after",
    "before",
    "need",
    "can",
    "cannot",
    "the",
    "a",
    "an",
    "to",
    "of",
    "is",
    "are",
    "was",
    "be",
    "this",
    "that",
    "it",
    "and",
    "or",
    "but",
    "if",
    "then",
}
RUSSIAN_FUNCTION = [word for word in RUSSIAN_COMMON if word in _RU_FUNCTION_WORDS]
RUSSIAN_DOMAIN = [word for word in RUSSIAN_COMMON if word not in _RU_FUNCTION_WORDS]
ENGLISH_FUNCTION = [word for word in ENGLISH_COMMON if word in _EN_FUNCTION_WORDS]
ENGLISH_DOMAIN = [word for word in ENGLISH_COMMON if word not in _EN_FUNCTION_WORDS]
TOPIC_SHARE = 0.25
RU_SYLLABLES = [
    "ра",
    "ко",
    "ми",
    "ну",
    "ле",
    "то",
    "па",
    "ви",
    "са",
    "до",
    "ре",
    "ли",
    "мо",
    "ка",
    "ти",
    "зу",
    "ше",
    "чо",
    "фа",
    "гу",
    "бе",
    "пы",
    "жи",
]
RU_ENDINGS = ["", "а", "ы", "у", "ом", "е", "ой", "ами", "ов", "ение", "ость", "ировать"]
EN_SYLLABLES = [
    "ra",
    "ko",
    "mi",
    "nu",
    "le",
    "to",
    "pa",
    "vi",
    "sa",
    "do",
    "re",
    "li",
    "mo",
    "ka",
    "ti",
    "zu",
    "she",
    "cho",
    "fa",
    "gu",
    "be",
    "py",
    "ji",
]
EN_ENDINGS = ["", "s", "ed", "ing", "er", "ation", "ity", "ness", "able"]
TAGS = [
    "billing",
    "accounts",
    "email",
    "api",
    "mobile",
    "integrations",
    "sso",
    "security",
    "export",
    "import",
    "push",
]
PRODUCTS = ["relay-web", "relay-mobile", "relay-api", "relay-email", "billing"]
OWNERS = [f"@user{number}" for number in range(40)] + ["@relay/billing", "@relay/support"]
STATUSES = ["validated"] * 8 + ["not_validated", "wip", "archived"]
AUDIENCES = ["customer", "customer", "internal", "public", "partner"]


def _tail_words(
    rng: random.Random, syllables: list[str], endings: list[str], count: int
) -> list[str]:
    words: set[str] = set()
    while len(words) < count:
        stem = "".join(rng.choice(syllables) for _ in range(rng.randint(2, 4)))
        words.add(stem + rng.choice(endings))
    return sorted(words)


class Vocabulary:
    """Common words first, then a long tail; sampled with weights 1/rank."""

    def __init__(self, rng: random.Random, common: list[str], tail: list[str]) -> None:
        rng.shuffle(tail)
        self.words = common + tail
        self.cumulative = list(accumulate(1.0 / rank for rank in range(1, len(self.words) + 1)))

    def sample(self, rng: random.Random, count: int) -> list[str]:
        return rng.choices(self.words, cum_weights=self.cumulative, k=count)


def _sentence(rng: random.Random, vocabulary: Vocabulary, topic: list[str]) -> str:
    words = vocabulary.sample(rng, rng.randint(6, 16))
    for index in range(len(words)):
        if rng.random() < TOPIC_SHARE:
            words[index] = rng.choice(topic)
    return " ".join(words).capitalize() + "."


def _topics(rng: random.Random, domain: list[str], tail: list[str], count: int) -> list[list[str]]:
    """Keyword sets: a few domain words and a few rare words per topic."""
    topics = []
    for number in range(count):
        words = [domain[(3 * number + offset) % len(domain)] for offset in range(3)]
        topics.append(words + rng.sample(tail, 5))
    return topics


def article(
    number: int,
    rng: random.Random,
    russian: Vocabulary,
    english: Vocabulary,
    topics: dict[bool, list[list[str]]],
) -> str:
    """One article's text with front matter: filler words plus the words of its topic."""
    is_russian = number % 2 == 0
    vocabulary = russian if is_russian else english
    topic = rng.choice(topics[is_russian])
    title = " ".join(rng.sample(topic, 3) + vocabulary.sample(rng, 2)).capitalize()
    code = rng.choice([f"0x8007{rng.randint(0, 0xFFFF):04x}", f"ERR_{rng.randint(100, 999)}"])
    reviewed = date(2026, 11, 1) - timedelta(days=rng.randint(0, 700))
    headings = (
        ["Проблема", "Окружение", "Решение", "Причина"]
        if is_russian
        else ["Issue", "Environment", "Resolution", "Cause"]
    )
    sections = []
    target = rng.randint(2000, 3800)
    size = 0
    index = 0
    while size < target:
        paragraph = " ".join(_sentence(rng, vocabulary, topic) for _ in range(rng.randint(2, 5)))
        if index % 3 == 0:
            heading = headings[(index // 3) % len(headings)]
            paragraph = f"## {heading}\n\n{paragraph}"
        if index == 1:
            paragraph += f" `{code}`"
        sections.append(paragraph)
        size += len(paragraph.encode("utf-8"))
        index += 1
    tags = sorted(set(rng.sample(TAGS, rng.randint(1, 3))))
    aliases = [" ".join(rng.sample(topic, 2)) for _ in range(rng.randint(0, 3))]
    front = [
        "---",
        f"id: KB-{number:06d}",
        f'title: "{title}"',
        f"tags: [{', '.join(tags)}]",
        f'owner: "{rng.choice(OWNERS)}"',
        f"status: {rng.choice(STATUSES)}",
        f"audience: {rng.choice(AUDIENCES)}",
        f"product: {rng.choice(PRODUCTS)}",
        f"last_reviewed: {reviewed.isoformat()}",
    ]
    if aliases:
        front.append("aliases:")
        front.extend(f'  - "{alias}"' for alias in aliases)
    front.append("---")
    return "\n".join(front) + f"\n\n# {title}\n\n" + "\n\n".join(sections) + "\n"


def generate(root: Path, count: int, seed: int = 42) -> None:
    """Write ``count`` articles under ``root`` in folders of 500.

    Every article belongs to a topic (about 25 articles each) whose keywords make up a
    quarter of its words; the rest is Zipf-distributed filler. So a query of topic words
    matches a few percent of the base, as in a real one, not every article.
    """
    rng = random.Random(seed)
    tail_size = 2000 + count * 2
    ru_tail = _tail_words(rng, RU_SYLLABLES, RU_ENDINGS, tail_size)
    en_tail = _tail_words(rng, EN_SYLLABLES, EN_ENDINGS, tail_size)
    topic_count = max(20, count // 50)
    topics = {
        True: _topics(rng, RUSSIAN_DOMAIN, ru_tail, topic_count),
        False: _topics(rng, ENGLISH_DOMAIN, en_tail, topic_count),
    }
    russian = Vocabulary(rng, list(RUSSIAN_FUNCTION), ru_tail)
    english = Vocabulary(rng, list(ENGLISH_FUNCTION), en_tail)
    for number in range(count):
        folder = root / f"area-{number // 500:03d}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"article-{number:06d}.md").write_text(
            article(number, rng, russian, english, topics), encoding="utf-8"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root", type=Path)
    parser.add_argument("count", type=int)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    generate(args.root, args.count, args.seed)


if __name__ == "__main__":
    main()
