"""Hints of 課題2 (src/02_sagasu/kadai_02_sagasu.nbsrc). Its checks are written out in the notebook
(``check(…)`` lines, expected values as fingerprints); each check cell starts with ``qN.start()`` and ends with
``qN.passed()``, so attempts, failures and hints reach the board. Hints: the first a nudge, the second concrete,
never the answer line itself."""

from __future__ import annotations

from odtbcheck.questions import Question

q1 = Question(
    title="問1",
    key="q1",
    hints=[
        "教材「1. データセットを探す：package_search」で、防災・安全グループに絞り込んで件数を出したセルと"
        "同じ考え方です。グループで絞り込み、検索結果の件数を読みます。",
        'ckan.action.package_search(...) の fq= に "groups:" とグループ名をつなげた文字を書きます'
        '（表示名ではなく API で使う名前）。結果は辞書なので、件数は 結果["count"] で取り出します。',
    ],
)

q2 = Question(
    title="問2",
    key="q2",
    hints=[
        "教材「2. データセットの中身を見る：package_show とリソース」と"
        "「やってみよう：API の結果から値を取り出す」を見直します。"
        "データセットの情報の中にリソースの一覧があり、その1つ目の id を取り出します。",
        'package_show(id="データセット名") の結果から、["resources"]（リソースの一覧）→ [0]（最初）→ ["id"] と'
        "続けて書いて奥へ進みます。データセットの id や、リソースの name・url とは別のものです。",
    ],
)

q3 = Question(
    title="問3",
    key="q3",
    hints=[
        "教材「3. 表のデータを取り出す：datastore_search」で保育所だけを取り出したセルと同じ形です。"
        "種別で絞り込んで取り出し、表にしてから、収容定員を合計します。",
        "ckan.action.datastore_search(...) に resource_id=（問2の childcare_resource_id）、"
        'filters={"列名": "値"}、全部入る大きさの limit= を渡し、結果の ["records"] を pd.DataFrame(...) で表にします。'
        "filters の値は、種別の値と1文字も違わずに書きます（部分一致ではありません）。",
        "取り出した収容定員は文字列のことがあるので、その列を pd.to_numeric(...) で数値に直してから "
        ".sum() で合計します（len は施設の数、.mean() は平均です）。",
    ],
)

q4 = Question(
    title="問4",
    key="q4",
    hints=[
        "教材「4. 日本語の部分一致：全文検索の q= ではなく LIKE か pandas で」を見直します。"
        "q= の全文検索ではなく、避難場所の表を全部取り出してから、名称に「小学校」を含むかを pandas で調べて数えます。",
        '表は準備のセルの read_csv_from_ckan("データセット名", dtype=str) で全部読めます。'
        "「名称」の列に .str.contains(...) を付けた True／False の列の、True の数を .sum() で数えます"
        "（.count() や len では全部の行の数になります）。",
    ],
)
