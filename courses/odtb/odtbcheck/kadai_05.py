"""Self-checks and hints of 課題5 (src/05_ebpm/kadai_05_ebpm.nbsrc): q1 latest (its two new columns), q2 shelter. Each
check cell reads ``qN.check()``: the ``check(…)`` steps below run on the notebook's answer variables and on the
tables its locked setup cell reads from the catalogue (``latest``, ``sites``, passed in as variables); the notebook
keeps only the hidden tests. Hints: the first a nudge, the second concrete, never the answer line itself. 問3 is
graded by the instructor and has no question object. pandas is imported inside the steps that use it: the package is
also imported where pandas is not installed (the CLI venv of the unit tests), and a trainee's kernel has it anyway."""

from __future__ import annotations

from odtbcheck.checks import check
from odtbcheck.questions import Question


def _same(a, b, tol=0.5):
    """Do the two columns agree in every district?"""
    return bool(((a - b).abs() < tol).all())


def _q1_steps(latest):
    import pandas as pd  # here, not at the top: see the module docstring

    missing = [c for c in ["65歳以上", "高齢化率（%）"] if c not in latest.columns]
    check(not missing, f"列がありません：{missing}", 'latest["65歳以上"] = ... のように、2つの列を加えてください。')
    by_code = latest.set_index("地域コード")
    old_cols = [c for c in by_code.columns if c.startswith(("65-69歳", "70-74歳", "75-79歳", "80-84歳", "85歳以上"))]
    expected_old = by_code[old_cols].sum(axis=1)
    given_old = pd.to_numeric(by_code["65歳以上"], errors="coerce")
    check(
        not _same(given_old, by_code[[c for c in old_cols if c.endswith("男性")]].sum(axis=1)),
        "65歳以上が男性だけの人数になっています。",
        "男性と女性の両方の列を足してください。",
    )
    check(
        not _same(given_old, expected_old + by_code["60-64歳の男性"] + by_code["60-64歳の女性"]),
        "65歳以上に 60-64歳 の人が入っています。",
        "65-69歳の列から始めてください。",
    )
    check(
        not _same(given_old, expected_old / len(old_cols)),
        "65歳以上が、列の平均になっています。",
        "人数なので、列の合計（sum）を取ります。",
    )
    check(
        _same(given_old, expected_old),
        "65歳以上の人数が違います。",
        "65-69歳・70-74歳・75-79歳・80-84歳・85歳以上の、男女それぞれの列（10列）を足してください。",
    )
    rate = pd.to_numeric(by_code["高齢化率（%）"], errors="coerce")
    expected_rate = expected_old / by_code["総人口"] * 100
    check(
        not _same(rate, expected_rate / 100, 0.0006),
        "高齢化率が割合（0～1）のままです。",
        "× 100 してパーセントにしてください。",
    )
    check(
        not _same(rate, expected_old / by_code["世帯数"] * 100, 0.06),
        "世帯数で割っています。",
        "高齢化率は、人口に占める割合です（総人口で割ります）。",
    )
    check(
        rate.between(0, 100).all(),
        "高齢化率が 0～100 の範囲にありません。",
        "65歳以上 ÷ 総人口 × 100 です（割る順番を確かめてください）。",
    )
    check(_same(rate, expected_rate, 0.06), "高齢化率の値が違います。", "65歳以上 ÷ 総人口 × 100 です。")


q1 = Question(
    title="問1",
    key="q1",
    variables=["latest"],
    steps=_q1_steps,
    where="latest に2つの列を加えている答えのセル（このチェックのすぐ上）",
    hints=[
        "教材「問い1：高齢化率（65歳以上人口 ÷ 総人口）」のセルと同じ手順です。"
        "65-69歳～85歳以上の列を男女とも選んで行ごとに足し、その人数を総人口で割って100を掛けます。",
        "「やってみよう：条件に合う列名だけを集める・行ごとに足す」の [c for c in latest.columns if …] と "
        ".startswith(…) で10列の名前を集め、その列だけの表に .sum(axis=1) "
        "をつけた行ごとの合計を列「65歳以上」に入れます。列「高齢化率（%）」は、"
        "その列 ÷ 総人口 の列 × 100 です（割る順番に注意）。",
    ],
)


def _q2_steps(shelter, latest, sites):
    import pandas as pd  # here, not at the top: see the module docstring

    needed = ["地域名", "総人口", "高齢化率（%）", "想定収容人数", "収容率（%）"]
    missing = [c for c in needed if c not in shelter.columns]
    check(not missing, f"列が足りません：{missing}", "教材の問い2のセルを参考に、列を加えてください。")
    check(
        len(shelter) >= 24,
        f"行数が {len(shelter)} です（24地区のはず）。避難場所のない地区が落ちています。",
        'latest の全地区を残してください（merge なら how="left"）。',
    )
    check(
        len(shelter) == 24,
        f"行数が {len(shelter)} です（24地区のはず）。",
        "1地区1行にします。sites は先に町字IDごとに合計してから対応させます。",
    )
    check(
        shelter["想定収容人数"].notna().all(),
        "想定収容人数が空欄の地区があります。",
        "避難場所のない地区は 0 にします（fillna）。",
    )
    by_name = shelter.set_index("地域名")
    district = latest.set_index("地域名")
    given_cap = pd.to_numeric(by_name["想定収容人数"], errors="coerce").reindex(district.index)
    per_site = sites.groupby("町字ID")["想定収容人数"]
    expected_cap = district["地域コード"].map(per_site.sum()).fillna(0)
    check(
        not (given_cap == district["地域コード"].map(per_site.size()).fillna(0)).all(),
        "避難場所の数を数えています。",
        "想定収容人数の列を、地区ごとに合計（sum）してください。",
    )
    check(
        not ((given_cap - district["地域コード"].map(per_site.mean()).fillna(0)).abs() < 0.5).all(),
        "想定収容人数が、避難場所1か所あたりの平均になっています。",
        "地区ごとの合計（sum）です。",
    )
    check(
        (given_cap == expected_cap).all(),
        "想定収容人数が違う地区があります。",
        "sites の 町字ID と latest の 地域コード で対応させ、地区ごとに合計してください。",
    )
    check(
        (
            (pd.to_numeric(by_name["高齢化率（%）"]).reindex(district.index) - district["高齢化率（%）"]).abs() < 0.06
        ).all()
        and (by_name["総人口"].reindex(district.index) == district["総人口"]).all(),
        "総人口か高齢化率が、問1の latest と合いません。",
        "latest の列をそのまま使ってください。",
    )
    ratio = pd.to_numeric(by_name["収容率（%）"], errors="coerce").reindex(district.index)
    expected_ratio = expected_cap / district["総人口"] * 100
    check(
        not ((ratio - expected_ratio / 100).abs() < 0.0006).all(),
        "収容率が割合（0～1）のままです。",
        "× 100 してパーセントにしてください。",
    )
    check(
        ((ratio - expected_ratio).abs() < 0.06).all(),
        "収容率の値が違います（割る順番は？）。",
        "想定収容人数 ÷ 総人口 × 100 です。",
    )


q2 = Question(
    title="問2",
    key="q2",
    variables=["shelter", "latest"],
    prepared=["sites"],
    steps=_q2_steps,
    where="shelter を作っている答えのセル（このチェックのすぐ上）",
    hints=[
        "教材「問い2：避難場所の収容率」のセルと同じ流れです。避難場所の想定収容人数を町字IDごとに合計し、"
        "latest の地域コードに対応させてから、総人口で割って100を掛けます。",
        'sites を groupby("町字ID") でまとめて想定収容人数の列を .sum() すると、町字IDごとの合計ができます。'
        "latest から地域コード・地域名・総人口・高齢化率（%）の列を選んで .copy() し、"
        "地域コードの列に .map(その合計) を使って想定収容人数の列を作り、"
        "避難場所のない地区の空欄は .fillna(0) で 0 にします。",
    ],
)
