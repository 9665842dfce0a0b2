"""The manifest's licences as the JSON file CKAN reads from ``licenses_group_url``.

CKAN only knows licences listed in that file (read at start-up): ``./testbed up`` writes it from
the manifest and points ``licenses_group_url = file://<path>`` at it. By hand:
``python -m ckan_seed.licenses [--out PATH]`` (stdout by default).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import yaml

MANIFEST = Path(__file__).resolve().parent.parent / "datasets" / "manifest.yaml"


def licenses(manifest: dict) -> list[dict]:
    """CKAN licence dicts (the fields of ckan.model.license.License) for the manifest's ``licenses``."""
    return [
        {
            "id": lic["id"],
            "title": lic["title"],
            "url": lic.get("url") or "",
            "od_conformance": lic.get("od_conformance") or "not reviewed",
            "osd_conformance": lic.get("osd_conformance") or "not reviewed",
            "status": "active",
            "maintainer": "",
            "family": "",
            "is_generic": False,
            "domain_content": True,
            "domain_data": True,
            "domain_software": False,
        }
        for lic in manifest["licenses"]
    ]


def licenses_json(manifest_path: Path = MANIFEST) -> str:
    """The licence file's text for the manifest at ``manifest_path``."""
    manifest = yaml.safe_load(Path(manifest_path).read_text(encoding="utf-8"))
    return json.dumps(licenses(manifest), ensure_ascii=False, indent=2) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description="マニフェストのライセンスを CKAN の licenses_group_url 形式で出力します。"
    )
    parser.add_argument("--manifest", type=Path, default=MANIFEST)
    parser.add_argument("--out", type=Path, help="書き出すファイル（省略すると標準出力）")
    args = parser.parse_args(argv)
    text = licenses_json(args.manifest)
    if args.out:
        args.out.write_text(text, encoding="utf-8")
    else:
        print(text, end="")


if __name__ == "__main__":
    main()
