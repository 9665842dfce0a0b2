"""Self-checks of 課題1 (src/01_kokai/kadai_01_kokai.nbsrc): q1 raw, q2 child_pads, q3 aed, q4 aed_standard.csv,
q5 published. Each question's ``check(…)`` steps are here (expected values as fingerprints), so the check cell reads
``qN.check()``; the notebook keeps only the hidden tests. The steps also get the notebook's locked names they read
(``AED_COLUMNS``, ``fingerprint`` and ``table_fingerprint`` of its answer_key cell, ``my_org``), passed as variables
so they cannot drift from the notebook. ``published`` is made by the locked publish cell, not by the trainee: the
locked my_org cell sets it to None first, so q5 says 「まだ公開されていません」 rather than "write published = …".
Hints: the first a nudge, the second concrete, never the answer line itself. pandas is imported inside the steps
that use it: the package is also imported where pandas is not installed (the CLI venv of the unit tests), and a
trainee's kernel has it anyway."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from odtbcheck.checks import check
from odtbcheck.questions import Question


def _q1_steps(raw, fingerprint):
    import pandas as pd  # here, not at the top: see the module docstring

    check(isinstance(raw, pd.DataFrame), "raw が表ではありません。", "pd.read_csv(...) の結果を raw に入れてください。")
    check(
        "施設名" in raw.columns,
        "1行目が項目名として読めていません（表題の行を読んでいます）。",
        "読むときに、最初の2行（表題と空行）を飛ばしてください。",
    )
    text = raw.fillna("").astype(str).to_numpy().ravel()
    check(
        not any("\ufffd" in v for v in text),
        "文字化けした文字（�）があります。読めない文字を置き換えて読んでいませんか。",
        "Shift_JIS の機種依存文字（㈱ など）も読める cp932 で読みます。",
    )
    check(
        not raw["番号"].fillna("").astype(str).str.startswith("※").any(),
        "注記の行（※…）が残っています。",
        "「番号」が ※ で始まる行を取り除きます（※ と等しい、ではなく ※ で始まる）。",
    )
    check(
        fingerprint(len(raw)) == "f7ebd8cbe6eb",
        f"行数が {len(raw)} です。注記の行のほかにも、行を消していませんか。",
        "注記の行だけを取り除き、ほかの行はすべて残してください。",
    )


q1 = Question(
    title="問1",
    key="q1",
    variables=["raw"],
    prepared=["fingerprint"],
    steps=_q1_steps,
    where="raw を作っている答えのセル（このチェックのすぐ上）",
    hints=[
        "教材「1. 機械判読に適した表のルール」で、受け取ったファイルをカタログから取り出して表に読み、"
        "「やってみよう：~ で「～ではない」行を残す」で注記の行を取り除いた手順を、そのままたどります。",
        'package_show の結果の ["resources"][0] を download(...) でバイト列にし、io.BytesIO(...) で包んで '
        "pd.read_csv に渡します（encoding・skiprows・dtype=str を指定）。"
        "注記の行は、「番号」が ※ で始まるか（.str.startswith）の条件の前に ~ を付けて、"
        "※ で始まらない行だけを残します。",
    ],
)


def _q2_steps(child_pads, raw):
    import pandas as pd  # here, not at the top: see the module docstring

    check(
        isinstance(child_pads, pd.Series),
        "child_pads が列（Series）ではありません。",
        'raw["小児用パッド"] をもとに作ってください。',
    )
    check(len(child_pads) == len(raw), "行数が raw と違います。", 'raw["小児用パッド"] をもとに作ってください。')
    values = set(child_pads.dropna().astype(str))
    check(
        values <= {"有", "無"},
        f"有・無以外の値があります：{sorted(values - {'有', '無'})}",
        "○ を 有、× を 無 に置き換えます（ほかの書き方にしない）。",
    )
    check(child_pads.notna().all(), "空欄になった行があります。", "○ と × の両方を対応表に入れてください。")
    same_rows = (raw["小児用パッド"].to_numpy() == "○") == (child_pads.to_numpy() == "有")
    check(bool(same_rows.all()), "○ と 有、× と 無 の対応が逆になっている行があります。", "○ が 有、× が 無 です。")


q2 = Question(
    title="問2",
    key="q2",
    variables=["child_pads", "raw"],
    steps=_q2_steps,
    where="child_pads を作っている答えのセル（このチェックのすぐ上）",
    hints=[
        "教材「やってみよう：対応表（辞書）で値を置き換える」と同じ考え方です。"
        "○ と × をそれぞれ何に置き換えるかの対応表を作り、「小児用パッド」の列に使います。",
        '対応表は {"元の値": "新しい値", …} の形の辞書で、○ と × の両方を書きます（書かなかった値は空欄になります）。'
        'raw["小児用パッド"] の後ろに .map(対応表) を付けた結果を child_pads に入れます。',
    ],
)


def _q3_steps(aed, raw, AED_COLUMNS, table_fingerprint):
    check(
        list(aed.columns) == AED_COLUMNS,
        "項目名か順番が標準と違います。",
        "表の枠を作る行（AED_COLUMNS を使う行）を消したり書き換えたりしていないか確かめてください。",
    )
    check(len(aed) == len(raw), "行数が raw と違います。", "raw の行ごとに1行です。")

    def column(name):
        """aed の列を、空欄を "" にした文字の列で返します。"""
        return aed[name].fillna("").astype(str)

    text = aed.fillna("").astype(str).to_numpy().ravel()
    check(
        not any(re.search(r"[０-９Ａ-Ｚａ-ｚ㈱①-⑳　－]", v) for v in text),
        "全角の英数字・記号、機種依存文字（㈱）、全角空白が残っている項目があります。",
        "文字の列は、表に書いた作り方のとおり normalize を通してから入れてください。",
    )
    check(column("名称").ne("").all(), "名称が空欄の行があります。", "名称は 施設名 から作ります。")
    check(
        column("電話番号").str.fullmatch(r"\d{4}-\d{2}-\d{4}").all(),
        "電話番号が「0000-00-0000」の形になっていません。",
        "電話番号の列も normalize で半角にします。",
    )
    check(
        column("所在地_連結表記").str.startswith("若葉県みどり野市").all(),
        "所在地_連結表記が都道府県名から始まっていません。",
        "受け取った住所は市から始まっています。前に都道府県名をつなげます。",
    )
    check(
        not column("設置位置").str.contains(" ").any(),
        "設置位置に空白が残っています。",
        "半角にしたあと、空白を取り除きます。",
    )
    for name in ("開始時間", "終了時間"):
        check(
            column(name).str.fullmatch(r"\d\d:\d\d").all(),
            f"{name}が「08:30」の形になっていません。",
            "利用できる時間を split_hours で分けた値を使います。",
        )
    check(
        (column("開始時間") < column("終了時間")).all(),
        "開始時間が終了時間より遅い行があります（開始と終了が逆になっていませんか）。",
        "split_hours の結果の1つ目が開始、2つ目が終了です。",
    )
    check(
        set(column("小児対応設備の有無")) == {"有", "無"},
        "小児対応設備の有無が 有／無 になっていません。",
        "問2の child_pads を使います。",
    )
    expected = {
        "名称": ("7903850b1c61", "施設名"),
        "所在地_連結表記": ("6e2b78c36839", "住所"),
        "設置位置": ("c6e609fc8bc1", "設置場所"),
        "電話番号": ("e4300159ff12", "電話番号"),
        "開始時間": ("585b4cbff314", "利用できる時間"),
        "終了時間": ("1a8195d57c83", "利用できる時間"),
        "小児対応設備の有無": ("eebbd19fce24", "問2の child_pads"),
        "団体名": ("dcad3f1f7d05", "設置者"),
        "利用可能日時特記事項": ("89f0dcbdcc83", "備考"),
    }
    for name, (wanted, source) in expected.items():
        check(
            table_fingerprint(aed, ["ID"], name) == wanted,
            f"{name} の値が、受け取った表と合いません。",
            f"{name} は {source} から、表に書いた作り方で作ります（列の取り違え・作り方の抜けがないか）。",
        )


q3 = Question(
    title="問3",
    key="q3",
    variables=["aed", "raw"],
    prepared=["AED_COLUMNS", "table_fingerprint"],
    steps=_q3_steps,
    where="aed の残りの項目を埋める答えのセル（このチェックのすぐ上）",
    hints=[
        '問題文の表の1行ごとに、aed["標準の項目"] = … の形で1列ずつ作ります。'
        "「半角に」は、教材「2. 全角の数字・記号を半角に：NFKC 正規化」の normalize を列の値1つずつに使うことです。",
        '半角にした列は raw["列名"].map(normalize) の形で作れます。所在地_連結表記はその前に "若葉県" を + でつなげ、'
        '設置位置は半角にした後ろに .str.replace(" ", "") を付けて空白を取ります。',
        "「利用できる時間」の列に .map(split_hours) を付けると、（開始, 終了）の組の列ができます。"
        "組の1つ目（.str[0]）を開始時間、2つ目（.str[1]）を終了時間に入れ、"
        "小児対応設備の有無には問2の child_pads を入れます。",
    ],
)


def _q4_steps(aed, AED_COLUMNS):
    import pandas as pd  # here, not at the top: see the module docstring

    check(
        Path("aed_standard.csv").exists(),
        "aed_standard.csv がありません。",
        "ファイル名（大文字・小文字、拡張子 .csv も）を確かめて保存してください。",
    )
    data = Path("aed_standard.csv").read_bytes()
    try:
        saved = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        saved = None
    check(
        saved is not None,
        "UTF-8 で保存されていません（Shift_JIS などになっています）。",
        "保存するときの文字コードを UTF-8 にします。",
    )
    lines = saved.splitlines()
    header = lines[0].split(",") if lines else []
    check(
        header[:1] != [""],
        "1列目に行番号の列があります。",
        "行番号（index）を書き出さない指定を付けて保存します。",
    )
    check(
        header == AED_COLUMNS,
        "1行目が標準の項目名になっていません（項目名のない保存や、別の表・別の区切り文字ではありませんか）。",
        "表 aed を、項目名付き・カンマ区切りで保存します。",
    )
    check(
        len(pd.read_csv("aed_standard.csv", dtype=str, encoding="utf-8-sig")) == len(aed),
        "保存した行数が aed と違います。",
        "表 aed をそのまま全部保存してください。",
    )


q4 = Question(
    title="問4",
    key="q4",
    variables=["aed"],
    prepared=["AED_COLUMNS"],
    steps=_q4_steps,
    where="aed を保存する答えのセル（このチェックのすぐ上）",
    hints=[
        "教材「5. メタデータと公開（ckanapi）」で、練習の表を CSV に保存したセル（to_csv）と同じです。"
        "ファイル名・行番号を書き出さないこと・文字コードの3つを指定します。",
        'aed.to_csv(...) の ( ) の中に、ファイル名（" " で囲む）、行番号を書き出さない index=False、'
        '文字コードの encoding=（UTF-8 の名前。Excel 向けなら "utf-8-sig"）をカンマで区切って書きます。',
    ],
)


def _q5_steps(published, my_org):
    check(
        published is not None,
        "まだ公開されていません。",
        "metadata のセルと、その下の公開のセルを実行してください。",
    )
    check(
        published["name"] == my_org["name"] + "-aed",
        f"データセットの name が {published['name']!r} です（指定と違います）。",
        "name は、自分の組織名のあとに -aed（ハイフン）を付けたものです。",
    )
    check(
        published.get("license_id") in ("cc-by-4.0", "pdl-1.0"),
        f"ライセンスの id が {published.get('license_id')!r} です。",
        "ライセンスの表示名ではなく id を書きます。CC BY 4.0 か、公共データ利用規約（PDL1.0）の id です。",
    )
    check(
        len(published.get("notes") or "") >= 30,
        f"説明（notes）が {len(published.get('notes') or '')} 文字です（30文字以上）。",
        "どんなデータか、いつ現在か、担当課などを書いてください。",
    )
    check(
        "AED" in unicodedata.normalize("NFKC", published.get("title") or ""),
        "題名（title）に AED が入っていません。",
        "title に「AED」を入れてください。",
    )
    check(
        len(published.get("tags") or []) >= 1,
        "タグがありません。",
        'tags は {"name": "タグ"} の形の辞書を並べたリストです。',
    )
    check(
        any(e.get("key") == "更新頻度" and e.get("value") for e in published.get("extras") or []),
        "更新頻度（extras）がありません。",
        'extras に、key が "更新頻度" の項目を入れてください。',
    )


q5 = Question(
    title="問5",
    key="q5",
    variables=["published"],
    prepared=["my_org"],
    steps=_q5_steps,
    where="metadata の答えのセルと、その下の公開のセル",
    hints=[
        "教材「5. メタデータと公開（ckanapi）」の練習のセルで作った辞書 metadata と同じ形です。"
        '問題文の6つの項目を、"name" のような見出しと値の組で書き、下の公開のセルも実行します。',
        'name は my_org["name"] と "-aed" を + でつなげ、license_id には表示名ではなく id を書きます。'
        'tags は [{"name": "…"}]、extras は [{"key": "更新頻度", "value": "…"}] の形のリストです。',
    ],
)
