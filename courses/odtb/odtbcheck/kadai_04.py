"""Hints of 課題4 (src/04_anzen/kadai_04_anzen.nbsrc). Its checks are written out in the notebook
(``check(…)`` lines, expected values as fingerprints); each check cell starts with ``qN.start()`` and ends with
``qN.passed()``, so attempts, failures and hints reach the board. Hints: the first a nudge, the second concrete,
never the answer line itself."""

from __future__ import annotations

from odtbcheck.questions import Question

q1 = Question(
    title="問1",
    key="q1",
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

q2 = Question(
    title="問2",
    key="q2",
    hints=[
        "教材「5. 集計と小さい値の秘匿」で町丁目ごとに国籍を数えた表（クロス集計）と同じ形です。"
        "まず生年月日から年齢区分の列を作り、それを表の列にして人数を数えます。",
        "生年月日の列に .map(age_group) を使った結果を pseudo の新しい列「年齢区分」に入れ、"
        "pd.crosstab(行にする列, 列にする列) の1つ目に 町丁目 の列、2つ目に 年齢区分 の列を渡します。"
        "合計の行・列（margins=True）は付けません。",
    ],
)

q3 = Question(
    title="問3",
    key="q3",
    hints=[
        "教材「5. 集計と小さい値の秘匿」の「やってみよう：.mask で条件に合うマスを空欄に」を、"
        "表 table 全体に使います。基準はこの研修の「1人以上5人未満」で、0 と 5 のマスは残します。",
        "table.astype(float) のあとに .mask(条件) をつけると、条件が True のマスが NaN になります。"
        "条件は table と数を比べる式を2つ & でつなぎ（「0より大きい」と「5より小さい」）、それぞれを ( ) で囲みます。",
    ],
)

q4 = Question(
    title="問4",
    key="q4",
    hints=[
        "教材「6. k-匿名性」の関数 k_anonymity と同じ計算です。町丁目・性別・年齢区分の組み合わせごとに人数を数え、"
        "そのいちばん少ない人数が k です。",
        "pseudo.groupby([…]) の [ ] に3つの列名を並べ、.size() で組み合わせごとの人数、"
        "続けて .min() で最小値になります。全体を int(...) で囲んで整数にします（年齢区分は問2で作った列です）。",
    ],
)
