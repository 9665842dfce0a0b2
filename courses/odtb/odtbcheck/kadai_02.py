"""Self-checks of 課題2 (src/02_sagasu/kadai_02_sagasu.nbsrc): q1 n_kosodate, q2 childcare_resource_id, q3 kodomoen
and kodomoen_capacity, q4 n_schools. Each question's ``check(…)`` steps are here (expected values as fingerprints),
so the check cell reads ``qN.check()``; the notebook keeps only the hidden tests. The steps also get the notebook's
names they read (its CKAN client ``ckan``; ``fingerprint``, ``is_number``, ``is_whole_number`` and ``is_bool`` of its
answer_key cell), passed as variables so they cannot drift from the notebook. Hints: the first a nudge, the second
concrete, never the answer line itself.
pandas is imported inside the steps that use it: the package is also imported where pandas is not installed
(the CLI venv of the unit tests), and a trainee's kernel has it anyway."""

from __future__ import annotations

from odtbcheck.checks import check
from odtbcheck.questions import Question


def _q1_steps(n_kosodate, ckan, fingerprint, is_whole_number):
    check(
        not isinstance(n_kosodate, (list, dict)),
        "件数ではなく、検索結果そのもの（一覧や辞書）が入っています。",
        '検索結果（辞書）の "count" に件数が入っています。',
    )
    check(
        is_whole_number(n_kosodate),
        f"n_kosodate が数ではありません（{type(n_kosodate).__name__}）。",
        "文字列にせず、件数の数をそのまま入れてください。",
    )
    check(
        n_kosodate != 0,
        "0件になっています。",
        "fq にはグループの表示名（子育て・教育）ではなく、グループ名 kosodate を使います。",
    )
    check(
        n_kosodate != ckan.action.package_search(rows=0)["count"],
        "カタログ全体のデータセット数になっています（絞り込めていません）。",
        "fq で「グループが kosodate」に絞り込みます。",
    )
    check(
        n_kosodate != len(ckan.action.group_list()),
        "グループの数を数えています。",
        "数えるのは、グループ kosodate に入っているデータセットの数です。",
    )
    check(
        fingerprint(n_kosodate) == "d84bdb34d4ee",
        "グループ kosodate のデータセットの数と違います。",
        "組織（organization）ではなくグループ（groups）で絞り込み、検索結果の件数を使っているか確かめてください。",
    )


q1 = Question(
    title="問1",
    key="q1",
    variables=["n_kosodate"],
    prepared=["ckan", "fingerprint", "is_whole_number"],
    steps=_q1_steps,
    where="n_kosodate を作っている答えのセル（このチェックのすぐ上）",
    hints=[
        "教材「1. データセットを探す：package_search」で、防災・安全グループに絞り込んで件数を出したセルと"
        "同じ考え方です。グループで絞り込み、検索結果の件数を読みます。",
        'ckan.action.package_search(...) の fq= に "groups:" とグループ名をつなげた文字を書きます'
        '（表示名ではなく API で使う名前）。結果は辞書なので、件数は 結果["count"] で取り出します。',
    ],
)


def _q2_steps(childcare_resource_id, ckan):
    check(
        not isinstance(childcare_resource_id, dict),
        "リソースの情報（辞書）が丸ごと入っています。",
        '辞書の中の "id" だけを取り出してください。',
    )
    check(
        isinstance(childcare_resource_id, str),
        f"ID が文字列ではありません（{type(childcare_resource_id).__name__}）。",
        "リソースの id（文字列）を入れてください。",
    )
    check(
        childcare_resource_id != "midorino-childcare-facilities",
        "データセットの名前が入っています。",
        "データセットではなく、その中のリソースの id を入れてください。",
    )
    childcare = ckan.action.package_show(id="midorino-childcare-facilities")
    check(
        childcare_resource_id != childcare["id"],
        "データセットの ID が入っています。",
        'データセットの中の "resources"（リソースの一覧）の中にある id を使います。',
    )
    check(
        not childcare_resource_id.startswith("http"),
        "リソースの URL が入っています。",
        "URL ではなく id を入れてください。",
    )
    try:
        resource = ckan.action.resource_show(id=childcare_resource_id)
    except Exception:
        resource = None
    check(
        resource is not None,
        "その ID のリソースは見つかりません（名前などが入っていませんか）。",
        "リソースの id を入れてください。",
    )
    check(
        resource["package_id"] == childcare["id"],
        "別のデータセットのリソースです。",
        "データセット midorino-childcare-facilities のリソースを使ってください。",
    )
    check(
        resource.get("position") == 0,
        "最初のリソースではありません。",
        "リソースの一覧の最初（0番目）です。",
    )


q2 = Question(
    title="問2",
    key="q2",
    variables=["childcare_resource_id"],
    prepared=["ckan"],
    steps=_q2_steps,
    where="childcare_resource_id を作っている答えのセル（このチェックのすぐ上）",
    hints=[
        "教材「2. データセットの中身を見る：package_show とリソース」と"
        "「やってみよう：API の結果から値を取り出す」を見直します。"
        "データセットの情報の中にリソースの一覧があり、その1つ目の id を取り出します。",
        'package_show(id="データセット名") の結果から、["resources"]（リソースの一覧）→ [0]（最初）→ ["id"] と'
        "続けて書いて奥へ進みます。データセットの id や、リソースの name・url とは別のものです。",
    ],
)


def _q3_steps(kodomoen, kodomoen_capacity, fingerprint, is_number):
    import pandas as pd  # here, not at the top: see the module docstring

    check(
        isinstance(kodomoen, pd.DataFrame),
        "kodomoen が表ではありません。",
        '取り出した "records" を pd.DataFrame(...) で表にしてください。',
    )
    check(
        len(kodomoen) > 0,
        "kodomoen が0行です。",
        "絞り込む値は、種別の値とまったく同じ文字（認定こども園）で書きます。",
    )
    check("種別" in kodomoen.columns, "kodomoen に 種別 の列がありません。", "取り出した表をそのまま使ってください。")
    check(
        set(kodomoen["種別"]) == {"認定こども園"},
        "認定こども園以外の行が入っています。",
        "種別が「認定こども園」と等しい行だけに絞り込んでください（部分一致ではなく）。",
    )
    check(
        fingerprint(len(kodomoen)) == "a416ea84421f",
        "認定こども園の行が全部そろっていません。",
        "取り出す件数（limit）を確かめてください。",
    )
    check(
        not isinstance(kodomoen_capacity, str),
        "合計が文字列になっています（文字をつなげていませんか）。",
        "収容定員の列を数値に直してから合計してください。",
    )
    check(
        is_number(kodomoen_capacity),
        f"kodomoen_capacity が数ではありません（{type(kodomoen_capacity).__name__}）。",
        "合計の数を入れてください。",
    )
    capacity = pd.to_numeric(kodomoen["収容定員"], errors="coerce")
    check(kodomoen_capacity != len(kodomoen), "行の数（施設の数）を数えています。", "収容定員を足し合わせてください。")
    check(kodomoen_capacity != capacity.mean(), "平均になっています。", "聞いているのは合計です。")
    check(kodomoen_capacity != capacity.max(), "最大値になっています。", "聞いているのは合計です。")
    check(
        fingerprint(kodomoen_capacity) == "45dae901ac2a",
        "収容定員の合計が違います。",
        "kodomoen の収容定員の列を、数値にしてから合計してください。",
    )


q3 = Question(
    title="問3",
    key="q3",
    variables=["kodomoen", "kodomoen_capacity"],
    prepared=["fingerprint", "is_number"],
    steps=_q3_steps,
    where="kodomoen と kodomoen_capacity を作っている答えのセル（このチェックのすぐ上）",
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


def _q4_steps(n_schools, fingerprint, is_bool, is_whole_number):
    check(
        not is_bool(n_schools),
        "True／False が入っています（「含むものがあるか」を調べていませんか）。",
        "含む行がいくつあるか、True の数を数えてください。",
    )
    check(
        is_whole_number(n_schools),
        f"n_schools が数ではありません（{type(n_schools).__name__}）。",
        "数を入れてください。",
    )
    check(
        n_schools != 0,
        "0件になっています。",
        "全文検索（q=）や「名称が小学校と等しい」では見つかりません。表を取り出して、名称に「小学校」を含むかを調べます。",
    )
    check(
        fingerprint(n_schools) != "3883138a8773",
        "避難場所の全部の数になっています。",
        "True／False の列の数（count や len）ではなく、True の数（sum）を数えます。",
    )
    check(
        fingerprint(n_schools) != "2b7120854845",
        "中学校も数えています。",
        "「学校」ではなく「小学校」を含む名称を数えます。",
    )
    check(
        fingerprint(n_schools) == "77c52f3feed5",
        "名称に「小学校」を含む避難場所の数と違います。",
        "避難場所の表を全部取り出してから、名称の列で部分一致を調べて数えてください。",
    )


q4 = Question(
    title="問4",
    key="q4",
    variables=["n_schools"],
    prepared=["fingerprint", "is_bool", "is_whole_number"],
    steps=_q4_steps,
    where="n_schools を作っている答えのセル（このチェックのすぐ上）",
    hints=[
        "教材「4. 日本語の部分一致：全文検索の q= ではなく LIKE か pandas で」を見直します。"
        "q= の全文検索ではなく、避難場所の表を全部取り出してから、名称に「小学校」を含むかを pandas で調べて数えます。",
        '表は準備のセルの read_csv_from_ckan("データセット名", dtype=str) で全部読めます。'
        "「名称」の列に .str.contains(...) を付けた True／False の列の、True の数を .sum() で数えます"
        "（.count() や len では全部の行の数になります）。",
    ],
)
