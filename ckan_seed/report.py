"""The outcome of a seed, dry run or status check, and its Japanese summary for the admin."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Report:
    """What changed (or would change, or differs) between the manifest and CKAN."""

    dry_run: bool = False
    created: list[str] = field(default_factory=list)
    updated: dict[str, list[str]] = field(default_factory=dict)  # dataset -> Japanese labels of what changed
    unchanged: list[str] = field(default_factory=list)
    organizations: dict[str, list[str]] = field(default_factory=lambda: {"create": [], "update": []})
    groups: dict[str, list[str]] = field(default_factory=lambda: {"create": [], "update": []})
    extra: list[str] = field(default_factory=list)  # in a manifest organisation but not in the manifest
    failures: dict[str, str] = field(default_factory=dict)  # dataset -> Japanese error
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def changed(self) -> bool:
        """Did (or would) the seed write anything?"""
        return bool(self.created or self.updated or any(self.organizations.values()) or any(self.groups.values()))

    @property
    def in_sync(self) -> bool:
        """Does CKAN hold exactly the manifest's catalogue (and nothing failed)?"""
        return not self.changed and not self.extra and not self.failures

    def lines(self, *, status: bool = False) -> list[str]:
        """Japanese summary lines; ``status`` words it as drift rather than as actions."""
        would = self.dry_run or status
        verbs = (
            ("未登録", "差分あり", "一致")
            if status
            else (("作成予定", "更新予定", "変更なし") if would else ("作成", "更新", "変更なし"))
        )
        out = [
            f"データセット: {verbs[0]} {len(self.created)} 件、{verbs[1]} {len(self.updated)} 件、"
            f"{verbs[2]} {len(self.unchanged)} 件"
        ]
        for kind, label in ((self.organizations, "組織"), (self.groups, "グループ")):
            if kind["create"]:
                out.append(f"  {label}の{verbs[0]}: {', '.join(kind['create'])}")
            if kind["update"]:
                out.append(f"  {label}の{verbs[1]}: {', '.join(kind['update'])}")
        for name in self.created:
            out.append(f"  {verbs[0]}: {name}")
        for name, what in self.updated.items():
            out.append(f"  {verbs[1]}: {name}（{'、'.join(what)}）")
        if self.extra:
            out.append(f"マニフェストにないデータセット {len(self.extra)} 件: {', '.join(self.extra)}")
        for name, error in self.failures.items():
            out.append(f"失敗: {name}: {error}")
        out += [f"注意: {w}" for w in self.warnings]
        return out
