"""Render DICTIONARY.md, the Japanese data dictionary, from the manifest, the files and dictionary.py."""

from __future__ import annotations

import csv
import io

from datasets import city
from datasets.dictionary import describe
from datasets.rules import RULES


def _header(data: bytes) -> list[str]:
    return next(csv.reader(io.StringIO(data.decode("utf-8"))))


def render(manifest: dict, files: dict[str, bytes]) -> str:
    """The whole dictionary as Markdown: every dataset, every file, every column, every broken rule."""
    out = [
        "# データ辞書（みどり野市サンプルデータ）",
        "",
        "このファイルは `python -m datasets.generate` が生成します。手で編集しないでください。",
        "",
        f"- 団体：{city.FULL_NAME}（架空）　全国地方公共団体コード：{city.CITY_CODE}"
        f"（{city.CITY_CODE_5} ＋ 検査数字 {city.CITY_CODE[-1]}）",
        "- 都道府県コード 99 は実在しません。市域は地図上では海の上にあり、実在の住所と重なりません。",
        "- 文字コード：公開用CSV（open/）と庁内CSV（internal/）は UTF-8（BOMなし）、改行 LF。"
        "受領時の形式（as_received/）の CSV は Shift_JIS（cp932）、改行 CRLF。",
        "- 人名・電話番号・事業所番号・法人などはすべて架空です。",
        "",
        "## 機械判読性のルール（受領時の形式が破っているもの）",
        "",
        "| ID | 内容 |",
        "|---|---|",
    ]
    out += [f"| `{rule}` | {label} |" for rule, label in RULES.items()]
    for d in manifest["datasets"]:
        out += ["", f"## {d['title']}（`{d['name']}`）", "", d["notes"].strip(), ""]
        visibility = "非公開（庁内のみ）" if d["private"] else "公開"
        out.append(f"- 組織：`{d['owner_org']}`　公開範囲：{visibility}　ライセンス：`{d['license_id']}`")
        if d.get("conforms_to"):
            out.append(f"- 準拠：{d['conforms_to']}")
        for r in d["resources"]:
            out += ["", f"### `{r['path']}`", "", f"{r['name']}。{r['description']}　文字コード：{r['encoding']}", ""]
            if r.get("breaks"):
                out.append(f"対応する機械判読に適したデータ：`{r['clean_version']}`。破っているルール：")
                out.append("")
                out += [f"- `{b}`：{RULES[b]}" for b in r["breaks"]]
            elif r["format"] == "CSV":
                out += ["| 列名 | 型 | 意味 |", "|---|---|---|"]
                for column in _header(files[r["path"]]):
                    kind, meaning = describe(column)
                    out.append(f"| {column} | {kind} | {meaning} |")
            else:
                out.append("GeoJSON（RFC 7946、WGS84）。各地物の properties：町字ID・町字・町字_カナ")
                out[-1] += "（市域は 全国地方公共団体コード・名称）。"
    return "\n".join(out) + "\n"
