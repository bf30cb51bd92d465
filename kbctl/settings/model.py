"""The settings of ``kbctl.toml``: frozen dataclasses, one per table, validated on load.

Every key kbctl reads is declared here with its kind, default and documentation; the
JSON Schema and ``kbctl config`` are generated from these declarations.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from kbctl.i18n import LANGUAGES, N_, _
from kbctl.settings.kinds import (
    ArrayOf,
    Boolean,
    Choice,
    Integer,
    Interval,
    KeyPath,
    Kind,
    Number,
    Positive,
    Section,
    SettingError,
    Strings,
    Table,
    Text,
    did_you_mean,
    dotted,
    setting,
)

DEFAULT_FIELDS: dict[str, list[str]] = {
    "id": ["id", "slug", "uid"],
    "title": ["title"],
    "description": ["description", "summary"],
    "type": ["type", "article_type", "kind"],
    "tags": ["tags", "keywords", "categories"],
    "owner": ["owner", "owners", "ms.author", "author", "created_by"],
    "reviewers": ["reviewers", "ms.reviewer"],
    "reviewed_by": ["reviewed_by"],
    "last_reviewed": ["last_reviewed", "reviewed", "ms.date", "audit_date", "last_modified_date"],
    "review_interval": ["review_interval", "review_every"],
    "status": ["status", "state", "confidence"],
    "audience": ["audience", "visibility"],
    "product": ["product", "applies_to"],
    "environment": ["environment"],
    "created": ["created", "date", "created_at"],
    "aliases": ["aliases", "synonyms"],
    "flags": ["flags"],
    "ignore": ["kbctl-ignore"],
}
DEFAULT_INCLUDE = ("**/*.md", "**/*.markdown")
DEFAULT_EXCLUDE = ("_templates/**", "includes/**", "_includes/**", "node_modules/**")
# Article files larger than this are refused unread (``max_article_bytes`` in kbctl.toml).
DEFAULT_MAX_ARTICLE_BYTES = 4 * 1024 * 1024
DEFAULT_REVIEW_INTERVAL = 180
DEFAULT_WIP_MAX_AGE = 30
DEFAULT_IGNORE_REVS = (".kbctl-ignore-revs", ".git-blame-ignore-revs")
DEFAULT_BULK_THRESHOLD = 50
DEFAULT_BULK_SHARE = 0.25
DEFAULT_TIME_BUDGET = 300.0
# "Modified" dates (someone touched it), as site generators and their plugins name them;
# review dates (ms.date, last_reviewed, reviewed) answer another question and are not here.
DEFAULT_MODIFIED_KEYS = (
    "lastmod", "last_modified_date", "last_modified_at", "last_modified", "modified",
    "updated", "date_modified",
)  # fmt: skip
DEFAULT_DISAGREEMENT_DAYS = 365
SEVERITIES = ("info", "warning", "error")
OFF_VALUES = ("off", "false", "none", "disable", "disabled")


class FieldMap(Kind):
    """``[fields]``: which front-matter keys mean what -> the whole map, defaults filled in."""

    def parse(self, value: object, path: KeyPath) -> Mapping[str, tuple[str, ...]]:
        if not isinstance(value, dict):
            raise self.fail(path, N_("a table of field = [keys]"), value)
        fields = {name: tuple(keys) for name, keys in DEFAULT_FIELDS.items()}
        for name, keys in value.items():
            if name not in DEFAULT_FIELDS:
                raise SettingError(
                    (*path, name),
                    _("unknown field {name} in [fields]").format(name=repr(name))
                    + did_you_mean(name, DEFAULT_FIELDS),
                    _("known: {names}").format(names=", ".join(sorted(DEFAULT_FIELDS))),
                )
            fields[name] = Strings(N_("front-matter keys")).parse(keys, (*path, name))
        return fields

    def schema(self) -> dict[str, Any]:
        item = Strings(N_("front-matter keys")).schema()
        return {
            "type": "object",
            "properties": {name: dict(item) for name in DEFAULT_FIELDS},
            "additionalProperties": False,
        }


class RuleTable(Kind):
    """``rule = "off" | severity | true/false | {severity, enabled, parameters...}``.

    The shape and the severities are checked here; rule ids and parameter names are
    checked by the rule engine, which knows the rules.
    """

    def parse(self, value: object, path: KeyPath) -> Mapping[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(path, N_("a table of rule = setting"), value)
        for rule, change in value.items():
            where = (*path, rule)
            if isinstance(change, str):
                self._severity(change, where)
            elif isinstance(change, dict):
                if "severity" in change:
                    self._severity(change["severity"], (*where, "severity"))
                if "enabled" in change and not isinstance(change["enabled"], bool):
                    raise self.fail((*where, "enabled"), "true or false", change["enabled"])
            elif not isinstance(change, bool):
                raise self.fail(where, '"off", a severity or a table', change)
        return value

    def _severity(self, value: object, path: KeyPath) -> None:
        words = (*OFF_VALUES, *SEVERITIES)
        if not isinstance(value, str) or value.strip().lower() not in words:
            raise SettingError(
                path,
                _("unknown severity {value}").format(value=repr(value))
                + did_you_mean(value, words),
                _("use off, info, warning or error"),
            )

    def schema(self) -> dict[str, Any]:
        severity = {"enum": [*OFF_VALUES, *SEVERITIES]}
        return {
            "type": "object",
            "additionalProperties": {
                "anyOf": [
                    {"type": "boolean"},
                    severity,
                    {
                        "type": "object",
                        "properties": {"severity": severity, "enabled": {"type": "boolean"}},
                    },
                ]
            },
        }


@dataclass(frozen=True, slots=True)
class HistorySection:
    """[history]: which commits count as changes to an article."""

    ignore_revs: tuple[str, ...] = setting(
        Strings(N_("file paths")),
        "Files listing commits to ignore; relative to kbctl.toml, else the repository root.",
        DEFAULT_IGNORE_REVS,
    )
    bulk_threshold: int = setting(
        Integer(0, N_("a whole number (0 turns the bulk rule off)")),
        "A commit changing more articles than this is noise; 0 turns the rule off.",
        DEFAULT_BULK_THRESHOLD,
    )
    bulk_share: float = setting(
        Number(N_("a number between 0 and 1 (0 turns the share rule off)"), 0, 1),
        "... or more than this share of the base (at least 10); 0 turns the share off.",
        DEFAULT_BULK_SHARE,
    )
    ignore_meta_only_keys: tuple[str, ...] = setting(
        Strings(N_("front-matter keys")),
        "Commits that change only these front-matter keys are not content changes.",
        (),
    )
    default_meta_only_keys: bool = setting(
        Boolean(),
        "Also treat well-known localisation metadata (ms.openlocfilehash, ms.sourcegitcommit, "
        "ms.lasthandoff, ms.locfileid, ...) as ignorable when the base has such keys.",
        True,
    )
    time_budget: float = setting(
        Positive(N_("a positive number of seconds")),
        "Seconds for one history pass before reporting a partial result.",
        DEFAULT_TIME_BUDGET,
    )
    renames: str = setting(
        Choice("auto", "exact", "off"),
        'Rename detection: "auto" (-M; exact only in blobless clones), "exact", "off".',
        "auto",
    )
    # --- history-honest: front-matter "modified" dates against git (stale JSON, KB305)
    modified_keys: tuple[str, ...] = setting(
        Strings(N_("front-matter keys")),
        "Front-matter keys that say when an article was last modified (not reviewed); the "
        "first present is reported as front_matter_modified.",
        DEFAULT_MODIFIED_KEYS,
    )
    disagreement_days: int = setting(
        Integer(1, N_("a whole number of days")),
        "Front-matter modified date and git's last change disagree beyond this many days.",
        DEFAULT_DISAGREEMENT_DAYS,
    )


@dataclass(frozen=True, slots=True)
class ReviewSection:
    """[review]: the review queue."""

    wip_max_age: int = setting(
        Interval(), "Days a Work in Progress article may stay so (e.g. 30d).", DEFAULT_WIP_MAX_AGE
    )


@dataclass(frozen=True, slots=True)
class OverrideSection:
    """[[check.overrides]]: rule settings for some paths; later tables win."""

    paths: tuple[str, ...] = setting(
        Strings(N_("globs"), nonempty=True), "Globs of base-relative paths.", ()
    )
    rules: Mapping[str, Any] = setting(
        RuleTable(), "Rule settings for these paths, as in [check.rules].", factory=dict
    )


@dataclass(frozen=True, slots=True)
class CheckSection:
    """[check]: rule severities and parameters, for the base and per path."""

    rules: Mapping[str, Any] = setting(
        RuleTable(),
        'Per rule (id or name): "off", a severity, or a table of severity and parameters.',
        factory=dict,
    )
    overrides: tuple[OverrideSection, ...] = setting(
        ArrayOf(Section(OverrideSection)), "Per-path rule settings; later tables win.", ()
    )


# --- kbctl init: ids and dates (settings block of the init work) ---


@dataclass(frozen=True, slots=True)
class IdsSection:
    """[ids]: where article ids come from."""

    source: str = setting(
        Choice("key", "path"),
        'Ids: "key" (the [fields] id keys, else the path) or "path" (the path, always).',
        "key",
        key="from",
    )


@dataclass(frozen=True, slots=True)
class DatesSection:
    """[dates]: how front-matter dates are read."""

    slash: str = setting(
        Choice("month-first", "day-first"),
        'Dates written with slashes: "month-first" (M/D/YYYY, as ms.date) or "day-first".',
        "month-first",
    )


# --- end of the kbctl init block ---


# ---- [links] (links person): how site URLs map to articles -------------------------------

LINK_STYLES = ("plain", "hugo", "mkdocs", "docusaurus", "jekyll")


@dataclass(frozen=True, slots=True)
class LinksSection:
    """[links]: site URLs and static files, for the link and image rules."""

    style: str = setting(
        Choice(*LINK_STYLES),
        'How a file maps to its site URL: "plain" (no site URLs), "hugo", "mkdocs",'
        ' "docusaurus" or "jekyll".',
        "plain",
    )
    site_prefix: str = setting(
        Text(), "Absolute link paths under this prefix are site URLs (e.g. /docs/).", "/"
    )
    url_keys: tuple[str, ...] = setting(
        Strings(N_("front-matter keys")),
        "Front-matter keys holding an article's whole URL.",
        ("permalink", "url"),
    )
    slug_keys: tuple[str, ...] = setting(
        Strings(N_("front-matter keys")),
        "Front-matter keys replacing the last part of an article's URL.",
        ("slug",),
    )
    alias_keys: tuple[str, ...] = setting(
        Strings(N_("front-matter keys")),
        "Front-matter keys listing other URLs of an article (redirects).",
        ("aliases", "redirect_from"),
    )
    static_dirs: tuple[str, ...] = setting(
        Strings(N_("folders")),
        "Folders served at the site root (relative to kbctl.toml), e.g. static, assets.",
        (),
    )
    ignore: tuple[str, ...] = setting(
        Strings(N_("globs")), "Link targets never checked (globs, e.g. /api/**).", ()
    )
    term_anchors: bool = setting(
        Boolean(), "Definition-list terms are anchors too (Hugo autoDefinitionTermID).", False
    )


# ---- [search] (synonyms and query reading) ------------------------------------------------


@dataclass(frozen=True, slots=True)
class SearchSection:
    """[search]: how queries are read."""

    synonyms: str | None = setting(
        Text(),
        "Synonyms file in Solr format (a, b, c / a => b), relative to this file, inside the"
        " repository; read at search time, so editing it needs no index rebuild.",
    )
    builtin_synonyms: bool = setting(
        Boolean(),
        "Use kbctl's starter list of support slang and product-name spellings (RU/EN).",
        True,
    )


# ---- [export] (kbctl export): what leaves the base, and where it is published -------------

DEFAULT_PRIVATE_KEYS = (
    "owner", "owners", "ms.author", "author", "created_by", "reviewers", "ms.reviewer",
    "reviewed_by", "flags", "kbctl-ignore",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class ExportSection:
    """[export]: public URLs, front-matter keys that may or may not leave the base, templates."""

    url: str | None = setting(
        Text(),
        "Public URL of an exported article; {id}, {slug}, {product}, {path} and {language}"
        ' are filled in (e.g. "https://help.example.com/{product}/{slug}"). Default: the'
        " article's permalink ([links] url_keys), else none.",
    )
    public_keys: tuple[str, ...] = setting(
        Strings(N_("front-matter keys")),
        "Extra front-matter keys exported as `meta` (default: none; kbctl's own fields only).",
        (),
    )
    private_keys: tuple[str, ...] = setting(
        Strings(N_("front-matter keys")),
        "Front-matter keys never exported (owners and reviewers only with --include-owners).",
        DEFAULT_PRIVATE_KEYS,
    )
    templates: str = setting(
        Text(),
        "Folder of Jinja2 templates overriding the help center's (relative to the base).",
        "_export/templates",
    )
    site_title: str = setting(Text(), "Title of the exported help center.", "Help center")


# ---- [new] and [duplicates] (capture person): kbctl new, kbctl duplicates -----------------


@dataclass(frozen=True, slots=True)
class NewSection:
    """[new]: how `kbctl new` names and places a new article."""

    id_pattern: str | None = setting(
        Text(),
        'Ids of new articles: a run of "#" is the number, zero-padded to its length '
        '(e.g. "KB-####"); default: the dominant pattern of the base\'s ids.',
    )
    folder: str = setting(
        Text(), "Folder for new articles, relative to the base (--dir overrides).", "."
    )
    templates: str = setting(
        Text(), "Folder of the base's templates, relative to the base.", "_templates"
    )


# ---- [usage] and [report] (usage person): the usage log, gaps, archive candidates, report --

DEFAULT_ARCHIVE_AFTER = 180
DEFAULT_TRUST_TARGET = 0.8


@dataclass(frozen=True, slots=True)
class UsageSection:
    """[usage]: the opt-in, private usage log (searches, articles opened) and what reads it."""

    enabled: bool = setting(
        Boolean(),
        "Append one JSON line per search, show and edit to the usage log ($KBCTL_USAGE_LOG"
        " set to a file also turns it on, for you alone).",
        False,
    )
    log: str | None = setting(
        Text(),
        "The usage log, relative to this file and inside the repository (default: usage.jsonl"
        " in this base's cache folder; $KBCTL_USAGE_LOG wins and may point anywhere).",
    )
    user: bool = setting(
        Boolean(), "Write the login name into each event (off: events carry no user).", False
    )
    archive_after: int = setting(
        Interval(),
        "Articles opened by nobody for this long, and not validated or overdue for review,"
        " are archive candidates (kbctl usage).",
        DEFAULT_ARCHIVE_AFTER,
    )


@dataclass(frozen=True, slots=True)
class DuplicatesSection:
    """[duplicates]: near-duplicate detection (`kbctl duplicates`, rule KB408)."""

    threshold: float = setting(
        Number(N_("a number between 0 and 1"), 0, 1),
        "Articles whose bodies share at least this share of word shingles (Jaccard) are "
        "near-duplicates.",
        0.3,
    )


@dataclass(frozen=True, slots=True)
class ReportSection:
    """[report]: the health report (kbctl report)."""

    trust_target: float = setting(
        Number("a share between 0 and 1", 0, 1),
        "The team's target for the trust score: the share of articles validated and within"
        " their review interval.",
        DEFAULT_TRUST_TARGET,
    )
    weeks: int = setting(
        Integer(1, "a whole number of weeks"), "Weeks of review history in the report.", 12
    )


@dataclass(frozen=True, slots=True)
class Settings:
    """kbctl.toml: the settings of one knowledge base."""

    content: str = setting(Text(), "The base's folder, relative to this file.", ".")
    include: tuple[str, ...] = setting(
        Strings(N_("globs")), "Globs of article files.", DEFAULT_INCLUDE
    )
    exclude: tuple[str, ...] = setting(
        Strings(N_("globs")), "Globs of files that are not articles.", DEFAULT_EXCLUDE
    )
    review_interval: int = setting(
        Interval(), "Review interval: 90d, 2w, 6m, 1y or days.", DEFAULT_REVIEW_INTERVAL
    )
    review_interval_by_tag: Mapping[str, int] = setting(
        Table(Interval(), "tag = interval"),
        "Intervals per tag; the shortest matching one wins.",
        factory=dict,
    )
    review_interval_by_path: Mapping[str, int] = setting(
        Table(Interval(), "glob = interval"),
        "Intervals per path glob; the shortest matching one wins.",
        factory=dict,
    )
    roster: str | None = setting(Text(), "People and teams (YAML), with `active`.")
    codeowners: str | None = setting(
        Text(), "CODEOWNERS file; default: .github/, root or docs/ of the base, then the repo."
    )
    cache_dir: str | None = setting(
        Text(), "Cache folder (default: the user's cache folder; $KBCTL_CACHE_DIR wins)."
    )
    max_article_bytes: int = setting(
        Integer(1, N_("a whole number of bytes")),
        "Larger article files are refused unread (KB107).",
        DEFAULT_MAX_ARTICLE_BYTES,
    )
    lang: str | None = setting(
        Choice(*LANGUAGES),
        "The team's language for kbctl's messages: en or ru (KBCTL_LANG and a person's "
        "locale come first).",
    )
    fields: Mapping[str, tuple[str, ...]] = setting(
        FieldMap(),
        "Which front-matter keys mean what; the first present wins.",
        factory=lambda: {name: tuple(keys) for name, keys in DEFAULT_FIELDS.items()},
    )
    # `setting` returns a dataclasses.field (with a factory), which RUF009 cannot see.
    history: HistorySection = setting(  # noqa: RUF009
        Section(HistorySection), "Git history.", factory=HistorySection
    )
    review: ReviewSection = setting(  # noqa: RUF009
        Section(ReviewSection), "Review queue.", factory=ReviewSection
    )
    check: CheckSection = setting(  # noqa: RUF009
        Section(CheckSection), "Check rules.", factory=CheckSection
    )
    ids: IdsSection = setting(  # noqa: RUF009
        Section(IdsSection), "Article ids.", factory=IdsSection
    )
    dates: DatesSection = setting(  # noqa: RUF009
        Section(DatesSection), "Front-matter dates.", factory=DatesSection
    )
    links: LinksSection = setting(  # noqa: RUF009
        Section(LinksSection), "Site links and static files.", factory=LinksSection
    )
    export: ExportSection = setting(  # noqa: RUF009
        Section(ExportSection), "kbctl export.", factory=ExportSection
    )
    new: NewSection = setting(  # noqa: RUF009
        Section(NewSection), "New articles (kbctl new).", factory=NewSection
    )
    duplicates: DuplicatesSection = setting(  # noqa: RUF009
        Section(DuplicatesSection), "Near-duplicate articles.", factory=DuplicatesSection
    )
    search: SearchSection = setting(  # noqa: RUF009
        Section(SearchSection), "Search: synonyms.", factory=SearchSection
    )
    usage: UsageSection = setting(  # noqa: RUF009
        Section(UsageSection), "The usage log (opt-in).", factory=UsageSection
    )
    report: ReportSection = setting(  # noqa: RUF009
        Section(ReportSection), "The health report.", factory=ReportSection
    )


SETTINGS = Section(Settings)


def parse_settings(table: Mapping[str, Any]) -> Settings:
    """Validate a whole config table (as ``tomllib`` reads it); SettingError on the first
    unknown key, wrong type or bad value, carrying the key's path."""
    settings: Settings = SETTINGS.parse(dict(table), ())
    return _wip_alias(settings, table)


# Rule KB304 (wip-too-old) once had its own limit, `max_days`, beside [review] wip_max_age;
# the review queue and `kbctl check` then disagreed. The limit is now [review] wip_max_age
# alone; the old parameter is a deprecated alias of it.
WIP_RULE_KEYS = ("kb304", "wip-too-old")
WIP_HINT = N_("set the one WIP limit instead: [review] wip_max_age (the review queue uses it too)")


def _wip_rule_limit(rules: Mapping[str, Any], path: KeyPath) -> tuple[KeyPath, object] | None:
    for key, value in rules.items():
        wip_rule = str(key).strip().lower() in WIP_RULE_KEYS
        if wip_rule and isinstance(value, dict) and "max_days" in value:
            return (*path, key, "max_days"), value["max_days"]
    return None


def _wip_alias(settings: Settings, table: Mapping[str, Any]) -> Settings:
    """Map ``[check.rules.KB304] max_days`` onto ``[review] wip_max_age``; refuse it per path
    (the queue has one limit) and when it contradicts ``wip_max_age``."""
    check = table.get("check", {})
    for index, override in enumerate(check.get("overrides", ())):
        found = _wip_rule_limit(override.get("rules", {}), ("check", "overrides", index, "rules"))
        if found is not None:
            raise SettingError(
                found[0],
                _("'{key}': the WIP limit cannot differ per path").format(key=dotted(found[0])),
                _(WIP_HINT),
            )
    found = _wip_rule_limit(check.get("rules", {}), ("check", "rules"))
    if found is None or found[1] is None:
        return settings
    path, value = found
    days = Interval().parse(value, path)
    if "wip_max_age" in table.get("review", {}) and days != settings.review.wip_max_age:
        raise SettingError(
            path,
            _("'{key}' ({days}d) contradicts 'review.wip_max_age' ({limit}d)").format(
                key=dotted(path), days=days, limit=settings.review.wip_max_age
            ),
            _("remove the deprecated max_days of KB304; [review] wip_max_age is the one WIP limit"),
        )
    return replace(settings, review=replace(settings.review, wip_max_age=days))
