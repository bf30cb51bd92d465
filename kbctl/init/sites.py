"""What ``kbctl init`` learns about a base's site: its generator, URL keys, static
folders, link render hooks and other docsets, for the ``[links]`` settings."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from kbctl.init.guess import Proposal, head_text
from kbctl.init.scan import ScannedFile
from kbctl.settings.model import DEFAULT_MODIFIED_KEYS

URL_KEYS = ("permalink", "slug", "url")
SITE_CONFIGS = {
    "hugo.toml": ("baseURL",),
    "hugo.yaml": ("baseURL",),
    "config.toml": ("baseURL",),
    "mkdocs.yml": ("site_url", "use_directory_urls"),
    "docusaurus.config.js": ("url", "baseUrl", "routeBasePath"),
    "docusaurus.config.ts": ("url", "baseUrl", "routeBasePath"),
    "_config.yml": ("url", "baseurl", "permalink"),
}
STATIC_FOLDERS = ("static", "assets", "public", "images", "img")


# Site generators, by the file that configures them: how a file path becomes a site URL.
SITE_STYLES = (
    ("hugo", ("hugo.toml", "hugo.yaml", "hugo.json", "config/_default/hugo.toml")),
    ("mkdocs", ("mkdocs.yml", "mkdocs.yaml")),
    ("docusaurus", ("docusaurus.config.js", "docusaurus.config.ts")),
    ("jekyll", ("_config.yml",)),
)


def _site_style(root: Path) -> str | None:
    """The site generator whose configuration file is at the root of the base, if any."""
    for style, names in SITE_STYLES:
        if any((root / name).is_file() for name in names):
            return style
    config = root / "config.toml"
    if config.is_file() and re.search(r"^baseURL\s*=", head_text(config), re.MULTILINE):
        return "hugo"
    return None


# Hugo's link render hooks: a destination compared with a literal is one the site handles
# itself (hugoDocs turns `[term](g)` into a glossary link).
HUGO_LINK_HOOKS = ("layouts/_markup/render-link.html", "layouts/_default/_markup/render-link.html")
_HOOK_LITERAL = re.compile(
    r"eq\s+\$u\.String\s+\"([\w-]{1,20})\"|eq\s+\.Destination\s+\"([\w-]{1,20})\""
)


def _hugo_markup(root: Path, proposal: Proposal, notes: list[str]) -> None:
    """What the Hugo site's own Markdown settings change about links and anchors."""
    config = head_text(root / "hugo.toml") if (root / "hugo.toml").is_file() else ""
    if re.search(r"^\s*autoDefinitionTermID\s*=\s*true", config, re.MULTILINE):
        proposal.term_anchors = True
        notes.append("hugo.toml: autoDefinitionTermID = true (definition terms are anchors)")
    for name in HUGO_LINK_HOOKS:
        hook = head_text(root / name) if (root / name).is_file() else ""
        for match in _HOOK_LITERAL.finditer(hook):
            target = match.group(1) or match.group(2)
            if target not in proposal.link_ignore:
                proposal.link_ignore.append(target)
                notes.append(f"{name} handles links to `{target}` itself: not checked")


def _is_docfx(root: Path) -> bool:
    """A Microsoft Docs (docfx / Open Publishing) base."""
    if (root / ".openpublishing.publish.config.json").is_file() or (root / "docfx.json").is_file():
        return True
    return any(path.is_file() for path in root.glob("*/docfx.json"))


def _own_docsets(root: Path) -> set[str]:
    """The URL roots this base publishes (its docsets' names and breadcrumb roots), folded:
    links to them are links into this base and stay checked."""
    import json

    names: set[str] = set()
    texts = [head_text(root / ".openpublishing.publish.config.json", 1 << 20)]
    texts += [head_text(path, 1 << 20) for path in sorted(root.glob("*/docfx.json"))]
    for text in texts:
        try:
            data = json.loads(text) if text else {}
        except ValueError:
            continue
        for docset in data.get("docsets_to_publish", []) if isinstance(data, dict) else []:
            name = str(docset.get("docset_name", "")) if isinstance(docset, dict) else ""
            names.add(name.removeprefix("OfficeDocs-").casefold())
        build = data.get("build", {}) if isinstance(data, dict) else {}
        meta = build.get("globalMetadata", {}) if isinstance(build, dict) else {}
        crumb = str(meta.get("breadcrumb_path", "")) if isinstance(meta, dict) else ""
        if crumb.startswith("/"):
            names.add(crumb.split("/")[1].casefold())
    return names - {""}


def _other_docsets(
    root: Path, files: list[ScannedFile], proposal: Proposal, notes: list[str]
) -> None:
    """Site-absolute links of a docfx base that lead to other docsets of the same site
    (``/powershell/...`` on learn.microsoft.com): their first folder is not in the base."""
    seen: Counter[str] = Counter()
    for item in files:
        seen.update(item.link_roots)
    own = _own_docsets(root)
    others = sorted(
        name for name in seen if not (root / name).exists() and name.casefold() not in own
    )
    if others:
        proposal.link_ignore = [f"/{name}/**" for name in others]
        links = sum(seen[name] for name in others)
        notes.append(
            f"docfx base: {links} link(s) in {len(others)} other docsets of the site "
            f"(/{others[0]}/..., ...) are not files of this base: not checked"
        )


def site_links(
    root: Path, files: list[ScannedFile], counts: Counter[str], proposal: Proposal
) -> None:
    """What the base's site generator says about links: [links] settings and notes."""
    total = len(files)
    notes = []
    for key in URL_KEYS:
        if counts[key]:
            notes.append(f"{counts[key]}/{total} articles set `{key}:` (their site URL)")
    if counts["aliases"] and "aliases" not in proposal.fields.get("aliases", ()):
        notes.append(f"{counts['aliases']}/{total} articles list old URLs in `aliases:`")
    for name, settings in SITE_CONFIGS.items():
        text = head_text(root / name) if (root / name).is_file() else ""
        for setting in settings:
            pattern = rf"(?:^|[\s{{,]){setting}\s*[:=]\s*['\"]?([^'\"\s,}}]+)"
            match = re.search(pattern, text, re.MULTILINE)
            if match:
                notes.append(f"{name}: {setting} = {match.group(1)}")
    proposal.link_style = _site_style(root)
    if proposal.link_style == "hugo":
        _hugo_markup(root, proposal, notes)
    if proposal.link_style is None and _is_docfx(root):
        _other_docsets(root, files, proposal, notes)
    for name in STATIC_FOLDERS:
        if (root / name).is_dir():
            notes.append(f"site-absolute images (/img/...) are served from {name}/")
            if proposal.link_style in ("hugo", "docusaurus"):
                proposal.static_dirs.append(name)
            break
    # The keys KB305 reads (the history settings' default): turn it on only where it can fire.
    proposal.modified_keys = [key for key in DEFAULT_MODIFIED_KEYS if counts[key]]
    proposal.links = notes
    if notes:
        proposal.findings.append("site links: " + "; ".join(notes))
