"""The front-matter edits that record a review or a flag: which keys to set, to what.

Pure: the file itself is written by :func:`kbctl.articles.update_front_matter`.
"""

from __future__ import annotations

from datetime import date

from kbctl.config import Config
from kbctl.model import Article


def front_matter_key(article: Article, field_name: str, config: Config) -> str:
    """The key to write a field to: the one the article already uses, else the first configured."""
    keys = config.settings.fields.get(field_name) or (field_name,)
    return next((key for key in keys if key in article.meta), keys[0])


def review_updates(
    article: Article,
    config: Config,
    *,
    on: date,
    by: str,
    status: str | None = None,
    clear_flags: bool = False,
) -> dict[str, object | None]:
    """The front-matter edit that records a review (None deletes a key).

    The date is written the way the article wrote the old one (``04/21/2020`` stays US-style).
    """
    reviewed_key = front_matter_key(article, "last_reviewed", config)
    updates: dict[str, object | None] = {
        reviewed_key: _date_like(article.meta.get(reviewed_key), on),
        front_matter_key(article, "reviewed_by", config): by,
    }
    if status is not None:
        updates[front_matter_key(article, "status", config)] = status
    if clear_flags:
        updates[front_matter_key(article, "flags", config)] = None
    return updates


def flag_updates(
    article: Article, config: Config, *, on: date, by: str, reason: str
) -> dict[str, object | None]:
    """The front-matter edit that appends a flag (who, when, why) to the article's flags."""
    key = front_matter_key(article, "flags", config)
    existing = article.meta.get(key)
    if existing is None:
        current: list[object] = []
    elif isinstance(existing, list):
        current = list(existing)
    else:
        current = [existing]
    current.append({"by": by, "date": on, "reason": " ".join(reason.split())})
    return {key: current}


def _date_like(previous: object, new: date) -> object:
    if isinstance(previous, str):
        text = previous.strip()
        if text.count("/") == 2:
            return f"{new.month:02d}/{new.day:02d}/{new.year}"
        if text.count(".") == 2 and text[:4].count(".") == 1:
            return f"{new.day:02d}.{new.month:02d}.{new.year}"
    return new
