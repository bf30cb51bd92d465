"""KB1xx: the file and its front matter can be read and say what they must."""

from __future__ import annotations

from collections.abc import Iterator

from kbctl.articles import DUPLICATE_ID_CODE, DUPLICATE_KEY, SCAN_CODE
from kbctl.i18n import N_, _, ngettext
from kbctl.model import Article, Audience, Diagnostic, Finding, Severity, Status
from kbctl.rules.registry import CheckContext, Rule, register
from kbctl.values import is_missing

# Loader diagnostics that have a rule of their own (not KB101/KB102): KB105 duplicate ids,
# KB107 files not read, KB108 keys written twice.
_OWN_RULE_CODES = frozenset({DUPLICATE_ID_CODE, SCAN_CODE, DUPLICATE_KEY})


def _load_problems(
    context: CheckContext, *, of_loaded: bool, code: str | None = None
) -> Iterator[Diagnostic]:
    """Loader diagnostics in scope: of files that loaded (bad values) or did not (unreadable).

    With ``code``, only diagnostics of that code; without, those no other rule reports.
    """
    loaded = context.by_path
    for diagnostic in context.diagnostics:
        wanted = diagnostic.code == code if code else diagnostic.code not in _OWN_RULE_CODES
        if not wanted:
            continue
        if (diagnostic.path in loaded) == of_loaded and context.in_scope(diagnostic.path):
            yield diagnostic


def _unparseable(context: CheckContext) -> Iterator[Finding]:
    for diagnostic in _load_problems(context, of_loaded=False):
        yield UNPARSEABLE.finding(diagnostic.path, diagnostic.line, diagnostic.message)


UNPARSEABLE = register(
    Rule(
        id="KB101",
        name="front-matter-unparseable",
        severity=Severity.ERROR,
        summary=N_(
            "The file cannot be read as an article: not UTF-8, empty, front matter that is not valid YAML, or front matter refused for its YAML aliases (more than 50, recursive, or expanding past 10,000 values)."
        ),
        why=N_(
            "An article kbctl cannot read is invisible to search, reviews and every other check."
        ),
        fix=N_(
            "Save the file as UTF-8 and fix the YAML between the `---` lines (quote values that contain `:` or start with `@`, `*`, `[`)."
        ),
        base_check=_unparseable,
        skip_archived=False,
    )
)


def _bad_value(context: CheckContext) -> Iterator[Finding]:
    for diagnostic in _load_problems(context, of_loaded=True):
        yield BAD_VALUE.finding(diagnostic.path, diagnostic.line, diagnostic.message)


BAD_VALUE = register(
    Rule(
        id="KB102",
        name="front-matter-bad-value",
        severity=Severity.WARNING,
        summary=N_(
            "A front-matter value has the wrong type or cannot be read (a date such as `2024-31-12`, a list where text is expected)."
        ),
        why=N_(
            "The value is ignored, so the article loses its review date, owner or tags without anyone noticing."
        ),
        fix=N_("Write dates as `YYYY-MM-DD`, intervals as `90d`/`6m`/`1y`, and lists as `[a, b]`."),
        base_check=_bad_value,
        skip_archived=False,
    )
)


def _present(article: Article, key: str, context: CheckContext) -> bool:
    if key in context.config.fields:
        return key in article.field_keys
    return key in article.meta and not is_missing(article.meta[key])


def _required(article: Article, context: CheckContext) -> Iterator[Finding]:
    keys = [str(key) for key in context.params.get("keys", ())]
    if context.config.settings.ids.source == "path":
        keys = [key for key in keys if key != "id"]  # the path is the id
    if not article.has_front_matter:
        if keys:
            yield REQUIRED.finding(
                article,
                1,
                _("no front matter (required keys: {keys})").format(keys=", ".join(keys)),
            )
        return
    missing = [key for key in keys if not _present(article, key, context)]
    if missing:
        yield REQUIRED.finding(
            article,
            1,
            ngettext(
                "required front-matter key missing: {keys}",
                "required front-matter keys missing: {keys}",
                len(missing),
            ).format(keys=", ".join(missing)),
        )


REQUIRED = register(
    Rule(
        id="KB103",
        name="required-keys-missing",
        severity=Severity.WARNING,
        summary=N_(
            "A required front-matter key is missing or empty (by default `id` and `title`)."
        ),
        why=N_(
            "Without a stable id links and reports break on a rename; without a title search shows a file name."
        ),
        fix=N_("Add the missing keys to the front matter (see the templates in `_templates/`)."),
        configure=N_(
            "`keys`: the required keys; field names such as `owner` accept every alias configured in `[fields]`."
        ),
        params={"keys": ["id", "title"]},
        article_check=_required,
        skip_archived=False,
    )
)

_STATUSES = frozenset(status.value for status in Status)
_AUDIENCES = frozenset(audience.value for audience in Audience)


def _unknown_value(article: Article, context: CheckContext) -> Iterator[Finding]:
    for field_name, value, allowed in (
        ("status", article.status, _STATUSES),
        ("audience", article.audience, _AUDIENCES),
    ):
        if value is not None and value not in allowed:
            key = article.field_keys.get(field_name, field_name)
            yield UNKNOWN_VALUE.finding(
                article,
                article.line_of(field_name),
                _("unknown {key} {value}").format(key=key, value=repr(value)),
                hint=_("use one of: {values}").format(values=", ".join(sorted(allowed))),
            )


UNKNOWN_VALUE = register(
    Rule(
        id="KB104",
        name="unknown-status-or-audience",
        severity=Severity.WARNING,
        summary=N_("`status` or `audience` has a value kbctl does not know."),
        why=N_(
            "Filters, archiving and the audience checks rely on these values; a typo hides an archived or internal article's nature."
        ),
        fix=N_(
            "Status: wip, not_validated, validated, archived. Audience: internal, partner, customer, public."
        ),
        article_check=_unknown_value,
        skip_archived=False,
    )
)


def _duplicate_ids(context: CheckContext) -> Iterator[Finding]:
    # The loader finds duplicate ids once, over the whole base (kbctl.articles.base).
    for diagnostic in context.diagnostics:
        if diagnostic.code == DUPLICATE_ID_CODE:
            yield DUPLICATE_ID.finding(diagnostic.path, diagnostic.line, diagnostic.message)


DUPLICATE_ID = register(
    Rule(
        id="KB105",
        name="duplicate-id",
        severity=Severity.ERROR,
        summary=N_(
            "Two articles have the same id (compared without case, Unicode normalisation or invisible characters such as a zero-width space). Checked over the whole base, even with `--changed-since`."
        ),
        why=N_(
            "Ids are how tickets, links and reports point at an article; a duplicate makes them point at the wrong one."
        ),
        fix=N_(
            "Give one of the articles a new id; if they say the same thing, merge them and archive one."
        ),
        base_check=_duplicate_ids,
        skip_archived=False,
        whole_base=True,
    )
)


def _ignore_without_reason(article: Article, context: CheckContext) -> Iterator[Finding]:
    from kbctl.rules.registry import find_rule

    line = article.line_of("ignore")
    for rule_id, reason in article.ignored_rules.items():
        if find_rule(rule_id) is None:
            yield BAD_SILENCE.finding(
                article,
                line,
                _("kbctl-ignore names unknown rule {rule}").format(rule=repr(rule_id)),
                hint=_("see `kbctl rules` for the rule ids"),
            )
        elif not reason.strip():
            yield BAD_SILENCE.finding(
                article,
                line,
                _("kbctl-ignore silences {rule} without a reason").format(rule=rule_id),
            )


BAD_SILENCE = register(
    Rule(
        id="KB106",
        name="silence-without-reason",
        severity=Severity.WARNING,
        summary=N_("A `kbctl-ignore` entry gives no reason, or names a rule that does not exist."),
        why=N_(
            "A silenced check with no reason cannot be re-evaluated later; a misspelt id silences nothing."
        ),
        fix=N_('Write `kbctl-ignore: {KB405: "reference table, long on purpose"}`.'),
        article_check=_ignore_without_reason,
        skip_archived=False,
    )
)


def _not_read(context: CheckContext) -> Iterator[Finding]:
    for diagnostic in context.diagnostics:
        if diagnostic.code == SCAN_CODE:
            yield NOT_READ.finding(diagnostic.path, diagnostic.line, diagnostic.message)


NOT_READ = register(
    Rule(
        id="KB107",
        name="file-not-read",
        severity=Severity.ERROR,
        summary=N_(
            "A file or folder kbctl could not or would not read, so it was not checked: a folder it cannot open, a file name that is not UTF-8 or that another file has in another Unicode normalisation (NFC/NFD), a symbolic link, a FIFO, socket or device, a file larger than `max_article_bytes`. Checked over the whole base, even with `--changed-since`."
        ),
        why=N_(
            "A CI gate that skips what it cannot read passes without checking it; links, special files and huge files are how a hostile contributor hides content or hangs every run."
        ),
        fix=N_(
            "Make the file a regular UTF-8-named file in the base (replace a link by the file it points to), fix the folder's permissions, split a huge article, or move the file out of the base."
        ),
        configure=N_(
            "`max_article_bytes` (top level of kbctl.toml, default 4 MiB) sets the size limit."
        ),
        base_check=_not_read,
        skip_archived=False,
        whole_base=True,
    )
)


def _duplicate_keys(context: CheckContext) -> Iterator[Finding]:
    for diagnostic in _load_problems(context, of_loaded=True, code=DUPLICATE_KEY):
        yield DUPLICATE_KEY_RULE.finding(diagnostic.path, diagnostic.line, diagnostic.message)


DUPLICATE_KEY_RULE = register(
    Rule(
        id="KB108",
        name="duplicate-front-matter-key",
        severity=Severity.ERROR,
        summary=N_(
            "A front-matter key is written twice (`status: validated`, later `status: archived`); reported on the second one."
        ),
        why=N_(
            "kbctl and most YAML readers use the last value, some refuse the file: the article may say archived to one tool and validated to another, and kbctl refuses to edit that key."
        ),
        fix=N_("Delete one of the two lines, keeping the value you mean."),
        base_check=_duplicate_keys,
        skip_archived=False,
    )
)
