"""Run the registered rules with the ``[check]`` configuration applied.

Configuration (kbctl.toml)::

    [check.rules]
    KB302 = "off"                                  # or "info", "warning", "error"
    KB405 = { severity = "error", max_words = 1200 }
    too-short = { min_words = 30 }                 # rule names work as well as ids

    [[check.overrides]]                            # later overrides win
    paths = ["checklists/**", "faq/*.md"]
    rules = { KB406 = "off", KB405 = { max_words = 3000 } }

Per article, ``kbctl-ignore: {KB301: "reason"}`` in the front matter silences a rule.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from kbctl.errors import ConfigError
from kbctl.i18n import _
from kbctl.model import SEVERITY_RANK, Article, Finding, Severity
from kbctl.rules.registry import CheckContext, Rule, all_rules, find_rule
from kbctl.values import glob_match

OFF_VALUES = frozenset({"off", "false", "none", "disable", "disabled"})


@dataclass(frozen=True, slots=True)
class RuleSetting:
    """One rule's effective settings: on/off, severity, parameters."""

    enabled: bool
    severity: Severity
    params: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class PathOverride:
    """Settings that apply to paths matching any of ``patterns``."""

    patterns: tuple[str, ...]
    rules: Mapping[str, Mapping[str, Any]]


@dataclass(slots=True)
class CheckSettings:
    """The ``[check]`` section, validated: per-rule settings and per-path overrides."""

    rules: dict[str, RuleSetting]
    overrides: list[PathOverride] = field(default_factory=list)
    # (rule id, the overrides that apply) -> the setting: one object per combination, so
    # the engine can make one context per setting rather than one per article.
    _combined: dict[tuple[str, tuple[int, ...]], RuleSetting] = field(
        default_factory=dict, repr=False, compare=False
    )

    def for_path(self, rule: Rule, path: str) -> RuleSetting:
        """The rule's settings for one base-relative path (overrides applied in order)."""
        applying = tuple(
            number
            for number, override in enumerate(self.overrides)
            if override.rules.get(rule.id)
            and any(glob_match(pattern, path) for pattern in override.patterns)
        )
        if not applying:
            return self.rules[rule.id]
        key = (rule.id, applying)
        setting = self._combined.get(key)
        if setting is None:
            setting = self.rules[rule.id]
            for number in applying:
                setting = _apply(setting, self.overrides[number].rules[rule.id])
            self._combined[key] = setting
        return setting

    def maybe_enabled(self, rule: Rule) -> bool:
        """Whether the rule is on anywhere (globally or through an override)."""
        if self.rules[rule.id].enabled:
            return True
        return any(override.rules.get(rule.id, {}).get("enabled") for override in self.overrides)


def _apply(setting: RuleSetting, change: Mapping[str, Any]) -> RuleSetting:
    params = {**setting.params, **change.get("params", {})}
    return RuleSetting(
        enabled=change.get("enabled", setting.enabled),
        severity=change.get("severity", setting.severity),
        params=params,
    )


def _parse_change(where: str, rule: Rule, value: object) -> dict[str, Any]:
    """Read ``"off"``, a severity, or a table of severity and parameters."""
    if isinstance(value, bool):
        return {"enabled": value}
    if isinstance(value, str):
        value = {"severity": value}
    if not isinstance(value, dict):
        raise ConfigError(
            _('{where}: expected "off", a severity or a table, got {value}').format(
                where=where, value=repr(value)
            )
        )
    change: dict[str, Any] = {}
    params: dict[str, Any] = {}
    for key, item in value.items():
        if key == "severity":
            text = str(item).strip().lower()
            if text in OFF_VALUES:
                change["enabled"] = False
                continue
            try:
                change["severity"] = Severity(text)
            except ValueError:
                raise ConfigError(
                    _("{where}: unknown severity {value}").format(where=where, value=repr(item)),
                    hint=_("use off, info, warning or error"),
                ) from None
            change.setdefault("enabled", True)
        elif key == "enabled":
            change["enabled"] = bool(item)
        elif key in rule.params:
            params[key] = _checked_param(f"{where}.{key}", rule.params[key], item)
        else:
            known = ", ".join(["severity", "enabled", *rule.params]) or "severity"
            raise ConfigError(
                _("{where}: {rule} has no setting {key}").format(
                    where=where, rule=rule.id, key=repr(key)
                ),
                hint=_("known: {names}").format(names=known),
            )
    if params:
        change["params"] = params
    return change


def _checked_param(where: str, default: object, value: object) -> object:
    """A rule parameter of the same kind as its default: a list, a table, else a whole number
    (days or words; also when the default is unset). ConfigError otherwise."""
    if isinstance(default, list):
        kind, ok = _("a list"), isinstance(value, list)
    elif isinstance(default, dict):
        kind, ok = _("a table"), isinstance(value, dict)
    else:
        kind = _("a whole number >= 0")
        ok = isinstance(value, int) and not isinstance(value, bool) and value >= 0
    if not ok:
        raise ConfigError(
            _("{where}: expected {kind}, got {value}").format(
                where=where, kind=kind, value=repr(value)
            )
        )
    return value


def _rule_table(where: str, table: object) -> dict[str, dict[str, Any]]:
    if not isinstance(table, dict):
        raise ConfigError(_("{where} must be a table of rule = setting").format(where=where))
    changes: dict[str, dict[str, Any]] = {}
    for key, value in table.items():
        rule = find_rule(str(key))
        if rule is None:
            raise ConfigError(
                _("{where}: unknown rule {key}").format(where=where, key=repr(key)),
                hint=_("see `kbctl rules` for the rule ids"),
            )
        changes[rule.id] = _parse_change(f"{where}.{key}", rule, value)
    return changes


def check_settings(section: Mapping[str, Any]) -> CheckSettings:
    """Validate the ``[check]`` config section; raise ConfigError on a wrong value."""
    rules = {
        rule.id: RuleSetting(
            enabled=rule.enabled_by_default, severity=rule.severity, params=dict(rule.params)
        )
        for rule in all_rules()
    }
    for rule_id, change in _rule_table("[check.rules]", section.get("rules", {})).items():
        rules[rule_id] = _apply(rules[rule_id], change)
    overrides: list[PathOverride] = []
    raw_overrides = section.get("overrides", [])
    if not isinstance(raw_overrides, list):
        raise ConfigError(_("[[check.overrides]] must be an array of tables"))
    for number, item in enumerate(raw_overrides, start=1):
        where = f"[[check.overrides]] #{number}"
        if not isinstance(item, dict):
            raise ConfigError(_("{where} must be a table with paths and rules").format(where=where))
        paths = item.get("paths", [])
        if isinstance(paths, str):
            paths = [paths]
        if not paths or not all(isinstance(path, str) for path in paths):
            raise ConfigError(_("{where}: 'paths' must be a list of globs").format(where=where))
        overrides.append(
            PathOverride(tuple(paths), _rule_table(f"{where}.rules", item.get("rules", {})))
        )
    return CheckSettings(rules, overrides)


@dataclass(slots=True)
class CheckResult:
    """What a run found: findings (sorted), the rules that ran, and counts."""

    findings: list[Finding]
    rules: list[Rule]
    checked: int
    silenced: int = 0

    def counts(self) -> dict[str, int]:
        """Findings per severity (every severity present, zero included)."""
        counts = {severity.value: 0 for severity in Severity}
        for finding in self.findings:
            counts[finding.severity.value] += 1
        return counts


def fails(findings: Iterable[Finding], fail_on: str) -> bool:
    """Whether any finding is at or above ``fail_on`` (error, warning, info or never)."""
    if fail_on == "never":
        return False
    # A wrong value is the caller's bug (the CLI offers a fixed choice): ValueError.
    threshold = SEVERITY_RANK[Severity(fail_on)]
    return any(SEVERITY_RANK[finding.severity] >= threshold for finding in findings)


def _silenced_rules(article: Article) -> set[str]:
    found: set[str] = set()
    for key in article.ignored_rules:
        rule = find_rule(key)
        found.add(rule.id if rule else key.upper())
    return found


def run_check(
    context: CheckContext,
    settings: CheckSettings | None = None,
    *,
    date_rules: bool = True,
    only: Sequence[str] | None = None,
) -> CheckResult:
    """Run every enabled rule over the articles in ``context.scope``.

    Per-article rules run only on articles in scope; base-wide rules (duplicate ids) see and
    report on the whole base. ``date_rules=False`` skips rules that depend on today's date;
    rules that need git history are skipped when ``context.history`` is None. The context
    is never changed: each rule gets a copy carrying its own parameters, so the same
    context and settings always give the same result.
    """
    settings = settings or check_settings(context.config.section("check"))
    wanted = {rule.id for key in only if (rule := find_rule(key))} if only else None
    targets = [article for article in context.articles if context.in_scope(article.path)]
    silences = {article.path: _silenced_rules(article) for article in context.articles}
    ran = [
        rule
        for rule in all_rules()
        if (wanted is None or rule.id in wanted)
        and not (rule.dated and not date_rules)
        and not (rule.needs_history and context.history is None)
        and settings.maybe_enabled(rule)
    ]
    # One context per distinct setting (not per article), keyed by the setting's identity;
    # the setting is kept alongside so that its id stays taken.
    contexts: dict[int, tuple[RuleSetting, CheckContext]] = {}

    def context_for(setting: RuleSetting) -> CheckContext:
        known = contexts.get(id(setting))
        if known is None:
            known = contexts[id(setting)] = (setting, context.with_params(setting.params))
        return known[1]

    produced: list[tuple[Rule, Finding, RuleSetting]] = []
    for rule in ran:
        if rule.base_check is not None:
            base_context = context_for(settings.rules[rule.id])
            produced.extend(
                (rule, finding, settings.for_path(rule, finding.path))
                for finding in rule.base_check(base_context)
            )
    article_rules = [rule for rule in ran if rule.article_check is not None]
    # Article by article (not rule by rule), so per-article caches such as parsed links
    # serve every rule that needs them.
    for article in targets:
        for rule in article_rules:
            if rule.skip_archived and article.is_archived:
                continue
            setting = settings.for_path(rule, article.path)
            if not setting.enabled:
                continue
            assert rule.article_check is not None
            produced.extend(
                (rule, finding, setting)
                for finding in rule.article_check(article, context_for(setting))
            )
    findings: list[Finding] = []
    silenced = 0
    for rule, finding, setting in produced:
        if not setting.enabled:
            continue
        if rule.id in silences.get(finding.path, ()) and rule.id != "KB106":
            silenced += 1
            continue
        findings.append(replace(finding, severity=setting.severity))
    findings.sort(key=lambda item: (item.path, item.line, item.rule_id, item.message))
    return CheckResult(findings, ran, len(targets), silenced)
