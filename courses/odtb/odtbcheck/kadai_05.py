"""Hints of 課題5 (src/05_ebpm/kadai_05_ebpm.nbsrc). Its checks are written out in the notebook
(``check(…)`` lines, expected values as fingerprints); each check cell starts with ``qN.start()`` and ends with
``qN.passed()``, so attempts, failures and hints reach the board. Hints: the first a nudge, the second concrete,
never the answer line itself. 問3 is graded by the instructor and has no question object."""

from __future__ import annotations

from odtbcheck.questions import Question

q1 = Question(
    title="問1",
    key="q1",
    hints=[
        "教材「問い1：高齢化率（65歳以上人口 ÷ 総人口）」のセルと同じ手順です。"
        "65-69歳～85歳以上の列を男女とも選んで行ごとに足し、その人数を総人口で割って100を掛けます。",
        "「やってみよう：条件に合う列名だけを集める・行ごとに足す」の [c for c in latest.columns if …] と "
        ".startswith(…) で10列の名前を集め、その列だけの表に .sum(axis=1) "
        "をつけた行ごとの合計を列「65歳以上」に入れます。列「高齢化率（%）」は、"
        "その列 ÷ 総人口 の列 × 100 です（割る順番に注意）。",
    ],
)

q2 = Question(
    title="問2",
    key="q2",
    hints=[
        "教材「問い2：避難場所の収容率」のセルと同じ流れです。避難場所の想定収容人数を町字IDごとに合計し、"
        "latest の地域コードに対応させてから、総人口で割って100を掛けます。",
        'sites を groupby("町字ID") でまとめて想定収容人数の列を .sum() すると、町字IDごとの合計ができます。'
        "latest から地域コード・地域名・総人口・高齢化率（%）の列を選んで .copy() し、"
        "地域コードの列に .map(その合計) を使って想定収容人数の列を作り、"
        "避難場所のない地区の空欄は .fillna(0) で 0 にします。",
    ],
)
