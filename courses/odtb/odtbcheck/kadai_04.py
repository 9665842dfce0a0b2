"""Self-checks and hints of 課題4 (src/04_anzen/kadai_04_anzen.nbsrc): q1 pseudo, q2 table, q3 safe_table, q4 k. Each
check cell reads ``qN.check()``: the ``check(…)`` steps below run on the notebook's answer variables and on what its
locked setup cell defines (``residents``, ``PRACTICE_KEY``, ``age_group``, passed in as variables so the checks use
exactly the notebook's); the notebook keeps only the hidden tests. Hints: the first a nudge, the second concrete,
never the answer line itself. pandas is imported inside the steps that use it: the package is also imported where
pandas is not installed (the CLI venv of the unit tests), and a trainee's kernel has it anyway."""

from __future__ import annotations

import hashlib
import hmac
import numbers

from odtbcheck.checks import check
from odtbcheck.questions import Question


def _q1_steps(pseudo, residents, PRACTICE_KEY):
    left = [c for c in ["氏名", "氏名_カナ", "住所", "番地", "住民ID"] if c in pseudo.columns]
    check(not left, f"直接識別子の列が残っています：{left}", "これらの列は削除してください（drop(columns=[...])）。")
    check(
        "世帯ID" not in pseudo.columns,
        "世帯ID がそのまま残っています。ほかの台帳と突き合わせられる番号です。",
        "世帯IDも仮ID（仮世帯ID）に置き換えてから、元の列を削除します。",
    )
    check(
        "住民となった日" not in pseudo.columns,
        "住民となった日 が残っています。ほとんどの人が1人に絞れる準識別子です。",
        "分析に使わないので削除します。",
    )
    missing = [c for c in ["仮ID", "仮世帯ID"] if c not in pseudo.columns]
    check(
        not missing, f"列がありません：{missing}", "元の列（住民ID・世帯ID）を削除する前に、仮IDの列を作ってください。"
    )
    check(len(pseudo) == len(residents), "行数が変わっています。", "行は削除せず、列だけを削除してください。")
    for column, source in (("仮ID", "住民ID"), ("仮世帯ID", "世帯ID")):
        given = pseudo[column].astype(str)
        check(
            not given.isin(set(residents[source])).any(),
            f"{column} に{source}がそのまま入っています。",
            f"{source}を HMAC-SHA256 で変換した値を入れてください。",
        )
        check(
            given.str.len().eq(12).all(),
            f"{column} が12文字ではありません。",
            "16進数の文字列（hexdigest()）の先頭12文字だけにします。",
        )
        unkeyed = {hashlib.sha256(v.encode()).hexdigest()[:12] for v in residents[source]}
        check(
            not given.isin(unkeyed).any(),
            f"{column} が鍵を使わないハッシュです。元の番号の一覧があれば誰でも同じ計算で戻せます。",
            "hashlib.sha256 だけでなく、鍵 PRACTICE_KEY を使う hmac.new(...) で作ってください。",
        )
        keyed = {hmac.new(PRACTICE_KEY, v.encode(), hashlib.sha256).hexdigest()[:12] for v in residents[source]}
        check(
            set(given) == keyed,
            f"{column} の値が、{source}を HMAC-SHA256 した値と合いません。",
            f"鍵は PRACTICE_KEY、アルゴリズムは hashlib.sha256、元にするのは {source} の文字列です。",
        )


q1 = Question(
    title="問1",
    key="q1",
    variables=["pseudo"],
    prepared=["residents", "PRACTICE_KEY"],
    steps=_q1_steps,
    where="pseudo を作っている答えのセル（このチェックのすぐ上）",
    hints=[
        "教材「3. 仮名化（仮のIDに置き換える）」で分析用の表 pseudo を作った手順をなぞります。"
        "先に住民ID・世帯IDから仮IDの列を作り、そのあとで元の2列・直接識別子・住民となった日の列を消します。",
        "教材の関数 pseudonym はこの課題にはないので、答えのセルに def で作ります。"
        "中身は hmac.new に鍵 PRACTICE_KEY・.encode() した文字・hashlib.sha256 を渡し、"
        ".hexdigest() の先頭12文字（[:12]）を返します。",
        "pseudo は residents を .copy() した表から始め、住民IDの列に .map(pseudonym) "
        "を使った結果を新しい列「仮ID」に入れます（世帯ID → 仮世帯ID も同じ）。最後に .drop(columns=[…]) で、"
        "氏名・氏名_カナ・住所・番地・住民ID・世帯ID・住民となった日 の7列を消します。",
    ],
)


def _q2_steps(table, residents, age_group):
    import pandas as pd  # here, not at the top: see the module docstring

    groups = ["0-14歳", "15-64歳", "65歳以上"]
    check(
        isinstance(table, pd.DataFrame),
        "table が表（DataFrame）ではありません。",
        "行と列のある表にします（pd.crosstab(行にする列, 列にする列)）。",
    )
    check(
        not ({"All", "合計"} & (set(map(str, table.columns)) | set(map(str, table.index)))),
        "合計の行や列が入っています。",
        "margins=True を付けずに作ってください（合計は秘匿の計算を狂わせます）。",
    )
    check(
        set(map(str, table.index)) != set(groups),
        "行と列が逆になっています。",
        "行（1つ目）に町丁目、列（2つ目）に年齢区分を使います。",
    )
    check(
        sorted(map(str, table.columns)) == sorted(groups),
        "列が3つの年齢区分（0-14歳・15-64歳・65歳以上）になっていません。",
        "列には、age_group で作った年齢区分を使います。",
    )
    check(
        set(table.index) == set(residents["町丁目"]),
        "行が町丁目ごとになっていません。",
        "行には 町丁目 の列を使います。",
    )
    check(
        int(table.to_numpy().sum()) == len(residents),
        "表の合計が標本の人数と合いません。",
        "全員を1人ずつ数えてください（世帯や行の絞り込みはしません）。",
    )
    expected_table = pd.crosstab(residents["町丁目"], residents["生年月日"].map(age_group))
    check(
        (table.reindex(index=expected_table.index, columns=expected_table.columns) == expected_table).all().all(),
        "年齢区分ごとの人数が違います。",
        "年齢は 2025年1月1日の満年齢で、誕生日の前なら1つ若くなります。age_group をそのまま使ってください。",
    )


q2 = Question(
    title="問2",
    key="q2",
    variables=["table"],
    prepared=["residents", "age_group"],
    steps=_q2_steps,
    where="table を作っている答えのセル（このチェックのすぐ上）",
    hints=[
        "教材「5. 集計と小さい値の秘匿」で町丁目ごとに国籍を数えた表（クロス集計）と同じ形です。"
        "まず生年月日から年齢区分の列を作り、それを表の列にして人数を数えます。",
        "生年月日の列に .map(age_group) を使った結果を pseudo の新しい列「年齢区分」に入れ、"
        "pd.crosstab(行にする列, 列にする列) の1つ目に 町丁目 の列、2つ目に 年齢区分 の列を渡します。"
        "合計の行・列（margins=True）は付けません。",
    ],
)


def _q3_steps(safe_table, table):
    import pandas as pd  # here, not at the top: see the module docstring

    check(isinstance(safe_table, pd.DataFrame), "safe_table が表ではありません。", "table をもとに作ってください。")
    check(safe_table.shape == table.shape, "表の形が変わっています。", "行や列は削除せず、マスを空欄にします。")
    aligned = safe_table.reindex(index=table.index, columns=table.columns)
    check(
        not aligned.isin(["*", "-", "x", "X", "χ", "秘匿", "＊"]).any().any(),
        "空欄のかわりに記号が入っています。",
        "記号ではなく空欄（NaN）にしてください（記号を入れると数の列でなくなります）。",
    )
    shown = aligned.apply(pd.to_numeric, errors="coerce")
    small = (table > 0) & (table < 5)
    check(
        not (shown.eq(0) & small).any().any(),
        "小さいマスを 0 にしています。0 と書くと「いない」と読まれてしまいます。",
        "0 ではなく空欄（NaN）にしてください。",
    )
    check(
        not (shown.isna() & (table == 0)).any().any(),
        "0 のマスまで空欄にしています。0 は秘匿しません（「いない」ことは分かってよい情報です）。",
        "条件は「0より大きく、かつ5未満」です（(table > 0) & …）。",
    )
    check(
        not (shown.isna() & (table > 5)).any().any(),
        "6人以上のマスまで空欄にしています。この研修の秘匿の基準は「5人未満」です。",
        "教材の「やってみよう」で試した 10 など、ほかの基準を使っていませんか。1以上5未満のマスだけを空欄にします。",
    )
    check(
        not (shown.isna() & (table == 5)).any().any(),
        "5人ちょうどのマスまで空欄にしています（「5人未満」に 5 は入りません）。",
        "条件は table < 5 です（table <= 5 ではありません）。5人のマスは残します。",
    )
    check(
        not (shown.notna() & small).any().any(),
        "1～4人のマスが残っています（秘匿されていません）。",
        "1以上5未満のマスをすべて空欄（NaN）にしてください。",
    )
    keep = ~small
    check(
        (shown[keep] == table[keep]).to_numpy()[keep.to_numpy()].all(),
        "残したマスの値が table と違います。",
        "秘匿しないマスは、table の値のままにします。",
    )


q3 = Question(
    title="問3",
    key="q3",
    variables=["safe_table", "table"],
    steps=_q3_steps,
    where="safe_table を作っている答えのセル（このチェックのすぐ上）",
    hints=[
        "教材「5. 集計と小さい値の秘匿」の「やってみよう：.mask で条件に合うマスを空欄に」を、"
        "表 table 全体に使います。基準はこの研修の「1人以上5人未満」で、0 と 5 のマスは残します。",
        "table.astype(float) のあとに .mask(条件) をつけると、条件が True のマスが NaN になります。"
        "条件は table と数を比べる式を2つ & でつなぎ（「0より大きい」と「5より小さい」）、それぞれを ( ) で囲みます。",
    ],
)


def _q4_steps(k, residents, age_group):
    check(
        isinstance(k, numbers.Real) and not isinstance(k, bool) and float(k).is_integer(),
        "k が整数（人数）ではありません。",
        "グループごとの人数の最小値（1つの数）を入れてください。",
    )
    people = residents.assign(区分=residents["生年月日"].map(age_group))
    sizes = people.groupby(["町丁目", "性別", "区分"]).size()
    check(k != sizes.max(), "k が最大値になっています。", "k は一番小さいグループの人数です（min）。")
    check(
        k != len(sizes),
        "k が組み合わせの数になっています。",
        "組み合わせの数ではなく、各組み合わせの人数の最小値です。",
    )
    check(
        k not in (people.groupby(["町丁目", "性別"]).size().min(), people.groupby(["町丁目", "区分"]).size().min()),
        "準識別子の列が足りません。",
        "町丁目・性別・年齢区分の3つすべてでグループにしてください。",
    )
    check(
        k == sizes.min(), "k の値が違います。", "3つの列すべてでグループにして、人数（size）の最小値（min）を取ります。"
    )


q4 = Question(
    title="問4",
    key="q4",
    variables=["k"],
    prepared=["residents", "age_group"],
    steps=_q4_steps,
    where="k を計算している答えのセル（このチェックのすぐ上）",
    hints=[
        "教材「6. k-匿名性」の関数 k_anonymity と同じ計算です。町丁目・性別・年齢区分の組み合わせごとに人数を数え、"
        "そのいちばん少ない人数が k です。",
        "pseudo.groupby([…]) の [ ] に3つの列名を並べ、.size() で組み合わせごとの人数、"
        "続けて .min() で最小値になります。全体を int(...) で囲んで整数にします（年齢区分は問2で作った列です）。",
    ],
)
