"""Self-checks and hints of 課題3 (src/03_totonoeru/kadai_03_totonoeru.nbsrc): q1 wareki_to_seireki,
q2 with_check_digit, q3 waste_long, q4 density. Each check cell reads ``qN.check()``: the ``check(…)`` steps below
run on the notebook's answer variables (expected tables as fingerprints, computed with the notebook's own
``table_fingerprint`` of its locked answer_key cell, passed in as a variable); the notebook keeps only the hidden
tests. Hints: the first a nudge, the second concrete, never the answer line itself. pandas is imported inside the
steps that use it: the package is also imported where pandas is not installed (the CLI venv of the unit tests), and
a trainee's kernel has it anyway."""

from __future__ import annotations

from odtbcheck.checks import check
from odtbcheck.questions import Question


def _outcome(function, argument):
    """function(argument), or the name of the error it raised (a crash reads as a wrong result)."""
    try:
        return function(argument)
    except Exception as error:
        return f"エラー（{type(error).__name__}）"


def _q1_steps(wareki_to_seireki):
    check(
        callable(wareki_to_seireki),
        "関数 wareki_to_seireki がありません。",
        "答えのセルを実行してください。",
    )
    got = _outcome(wareki_to_seireki, "令和7年4月1日")
    check(
        got != "2025-4-1",
        f"令和7年4月1日 が {got!r} になります。月・日が2桁になっていません。",
        '月と日は 04・01 のように2桁にします（datetime.date(...).isoformat() か f"{月:02d}"）。',
    )
    check(
        got == "2025-04-01",
        f"令和7年4月1日 が {got!r} になります。",
        "令和は 2018 + 年です。表の形（年-月-日）も確かめてください。",
    )
    got = _outcome(wareki_to_seireki, "令和元年7月1日")
    check(
        got == "2019-07-01",
        f"令和元年7月1日 が {got!r} になります。「元年」が読めていません。",
        "「元年」は「1年」として読みます。",
    )
    got = _outcome(wareki_to_seireki, "令和７年４月１日")
    check(
        got == "2025-04-01", f"全角の数字の日付が {got!r} になります。", "最初に NFKC 正規化で半角にしてから読みます。"
    )
    got = _outcome(wareki_to_seireki, "平成31年4月30日")
    check(
        got == "2019-04-30",
        f"平成31年4月30日 が {got!r} になります。",
        "元号ごとの「西暦との差」は ERAS の値を使います。",
    )
    got = _outcome(wareki_to_seireki, "平成31年5月1日")
    check(
        got is None,
        f"存在しない日付「平成31年5月1日」が {got!r} になります（元号の期間を確かめていません）。",
        "西暦に直した日付が、その元号の始まりの日～終わりの日の中にあるかを確かめ、外なら None を返します。",
    )
    got = _outcome(wareki_to_seireki, "昭和64年1月8日")
    check(
        got is None,
        f"存在しない日付「昭和64年1月8日」が {got!r} になります（終わりの日の扱いが違います）。",
        "終わりの日は、その日を含みます。次の元号の始まりの日は含みません（ERAS の日付を使います）。",
    )
    got = _outcome(wareki_to_seireki, "令和6年2月30日")
    check(
        got is None,
        f"存在しない日付「令和6年2月30日」が {got!r} になります。",
        "datetime.date で日付を作り、エラーになったら None を返します。",
    )
    got = _outcome(wareki_to_seireki, "2025年4月1日")
    check(
        got is None,
        f"和暦でない文字に {got!r} を返しています。",
        "元号に当てはまらないときは None（空の文字ではなく）を返します。",
    )


q1 = Question(
    title="問1",
    key="q1",
    variables=["wareki_to_seireki"],
    steps=_q1_steps,
    hints=[
        "教材「3. 和暦 → 西暦」の順番をなぞります。全角を半角にそろえる → 正規表現で元号・年・月・日を取り出す → "
        "西暦の日付を作る → その日付が元号の期間の中かを確かめる、の4段階です。",
        'unicodedata.normalize("NFKC", …) で半角にし、「元年」を「1年」に置き換えてから、'
        "re.fullmatch の型で元号・年・月・日の4つを ( ) で取り出します。型に当てはまらない（結果が None の）ときは、"
        "すぐに None を返します。",
        "ERAS[元号] で (西暦との差, 始まりの日, 終わりの日) を取り出し、"
        "try の中で datetime.date(差＋年, 月, 日) を作って .isoformat() で「年-月-日」にします（年・月・日は int() "
        "で数に）。except ValueError のときと、始まりの日より前・終わりの日より後のときは None を返します（ERAS で "
        "None の日は確かめません）。",
    ],
)


def _q2_steps(with_check_digit):
    check(
        callable(with_check_digit),
        "関数 with_check_digit がありません。",
        "答えのセルを実行してください。",
    )
    got = _outcome(with_check_digit, "99201")
    check(
        isinstance(got, str),
        f"結果が文字ではありません（{type(got).__name__}）。",
        "5桁のコードに検査数字の文字をつなげた文字を返します。",
    )
    check(len(got) != 1, "検査数字だけを返しています。", "5桁のコードのあとに検査数字をつなげた6桁を返します。")
    check(
        got == "992011",
        f"99201 が {got!r} になります。",
        "重みは左の桁から 6,5,4,3,2 です。合計を11で割った余りを11から引きます。",
    )
    got = _outcome(with_check_digit, "13101")
    check(got == "131016", f"13101 が {got!r} になります。", "重みは左の桁から 6,5,4,3,2 です。")
    got = _outcome(with_check_digit, "01100")
    check(
        got == "011002",
        f"01100 が {got!r} になります（先頭の 0 が消えていませんか）。",
        "コードは数にせず、文字のまま扱います。",
    )
    got = _outcome(with_check_digit, "28100")
    check(
        got == "281000",
        f"28100（神戸市）が {got!r} になります。",
        "11－余り が 10 になるとき、検査数字はその1の位（0）です。",
    )
    got = _outcome(with_check_digit, "09201")
    check(
        got == "092011",
        f"09201（宇都宮市）が {got!r} になります。",
        "11－余り が 11 になるとき、検査数字はその1の位（1）です。",
    )


q2 = Question(
    title="問2",
    key="q2",
    variables=["with_check_digit"],
    steps=_q2_steps,
    hints=[
        "教材「5. 検査数字付きのコード」の関数 check_digit が、検査数字の1文字を作る計算です。問2では、"
        "その1文字を5桁のコードの後ろにつなげた6桁の文字を返します。",
        "zip(code5, (6, 5, 4, 3, 2)) で各桁と重みを組にし、int(桁) × 重み を sum(...) で足します。"
        "問題文のきまりで 11 から引いた数の1の位（% 10）を str(...) で文字にし、"
        "code5 の後ろに + でつなげます（code5 は数にしないので、先頭の 0 も残ります）。",
    ],
)


def _q3_steps(waste_long, table_fingerprint):
    import pandas as pd  # here, not at the top: see the module docstring

    check(
        isinstance(waste_long, pd.DataFrame),
        "waste_long が表ではありません。",
        "melt の結果を waste_long に入れてください。",
    )
    check(
        sorted(waste_long.columns) == sorted(["年月", "ごみ種別", "排出量（トン）"]),
        f"列が {list(waste_long.columns)} です。",
        "列を 年月・ごみ種別・排出量（トン） の3つにしてください（列名の変更と列の選択）。",
    )
    check(
        not waste_long["ごみ種別"].astype(str).str.contains("合計|※").any(),
        "合計の行か注記の行が残っています。",
        "5つのごみ種別の行だけを残してから melt してください。",
    )
    check(
        not waste_long["年月"].astype(str).str.contains("合計").any(),
        "合計の列が残っています。",
        "合計の列を取り除いてから melt してください。",
    )
    check(
        len(waste_long) == 60,
        f"行数が {len(waste_long)} です（5種別×12か月＝60のはず）。",
        "5つのごみ種別の行と、12か月の列だけにしてから melt してください。",
    )
    months = waste_long["年月"].astype(str)
    check(
        months.str.fullmatch(r"\d{4}-\d{2}").all(),
        f"年月が「2024-04」の形ではありません（例：{months.iloc[0]!r}）。",
        "年と月を - でつなぎ、月は2桁（04）にします。",
    )
    check(
        set(months) == {f"2024-{m:02d}" for m in range(4, 13)} | {f"2025-{m:02d}" for m in range(1, 4)},
        "年月の年が違います（年度は4月始まり：4～12月は2024年、1～3月は2025年）。",
        "月が4以上なら2024年、そうでなければ2025年です（4月を含むか、条件の境目を確かめてください）。",
    )
    amount = waste_long["排出量（トン）"]
    check(
        pd.api.types.is_numeric_dtype(amount),
        "排出量が数値になっていません。",
        "桁区切りの , を取り、「－」を 0 にしてから pd.to_numeric で数値にします。",
    )
    check(
        amount.isna().sum() > 0,
        "空欄（集計中）が 0 になっています。",
        "空欄は分からない値なので、0 にせず NaN のまま残します。",
    )
    check(
        amount.isna().sum() == 1,
        f"NaN（空欄）が {amount.isna().sum()} 個あります（空欄は1か所だけのはず）。",
        "「－」は 0 にします。桁区切りの , を取らずに数値にすると、1,000 以上の値も NaN になります。",
    )
    check(
        table_fingerprint(waste_long, ["年月", "ごみ種別"], "排出量（トン）") == "e4ec3638a210",
        "年月・ごみ種別と排出量の組み合わせが、受け取った表と合いません。",
        "年月は melt で作った「月」の列から行ごとに作ります（並びを別に作って付けると、行とずれます）。",
    )


q3 = Question(
    title="問3",
    key="q3",
    variables=["waste_long"],
    prepared=["table_fingerprint"],
    steps=_q3_steps,
    where="waste_long を作っている答えのセル（このチェックのすぐ上）",
    hints=[
        "教材「6. 横持ち → 縦持ち（melt）」の流れ（5つのごみ種別の行だけを残す → 合計の列を消す → melt → "
        "排出量を数値に）と、「やってみよう：「4月」を「2024-04」に」の3段階を組み合わせます。",
        "用意された読み込みの2行の後に、種別の列の .isin([...]) で5つのごみ種別の行を残し、"
        ".drop(columns=...) で合計の列を消してから .melt(...) します（id_vars に種別の列、"
        "var_name と value_name に新しい2つの列名）。排出量は .str.replace で , を取り、"
        '.replace で「－」を "0" にしてから pd.to_numeric(...) で数値にします。',
        "年月は melt でできた「月」の列から行ごとに作ります：「月」を取って .astype(int) → .map(lambda m: …) "
        'で4月以上なら 2024、それ以外は 2025 → f"{年}-{月:02d}" でつなぐ。'
        "最後に .rename(columns={…}) で「種別」を「ごみ種別」に変え、年月・ごみ種別・排出量（トン）"
        "の3列だけを選びます。",
    ],
)


def _q4_steps(density, table_fingerprint):
    import pandas as pd  # here, not at the top: see the module docstring

    check(isinstance(density, pd.DataFrame), "density が表ではありません。", "結合した表を density に入れてください。")
    check(
        len(density) != 24 * 24,
        f"行数が {len(density)} です。結合する列を指定していないため、町丁目どうしがすべて組み合わされています。",
        "人口の 地域コード と町丁目一覧の 町字ID を、結合する列として指定します。",
    )
    check(
        len(density) != 24 * 5,
        f"行数が {len(density)} です（5年分の人口が残っています）。",
        "調査年月日が 2025-01-01 の行だけにしてから結合します。",
    )
    check(
        len(density) == 24,
        f"行数が {len(density)} です（24のはず）。",
        "2025-01-01 の行だけにして、コードを文字として読んでから結合してください。",
    )
    check("地域名" in density.columns, "地域名の列がありません。", "人口の表の 地域名 を残してください。")
    check(
        "人口密度（人/km2）" in density.columns,
        "人口密度（人/km2）の列がありません。",
        "列名を問題文のとおりに書いてください。",
    )
    values = pd.to_numeric(density["人口密度（人/km2）"], errors="coerce")
    check(
        values.notna().all(), "人口密度が空欄か数でない行があります。", "総人口と面積（km2）の列から計算してください。"
    )
    check(values.max() >= 1, "人口密度が小さすぎます（面積÷人口になっていませんか）。", "人口密度は 人口 ÷ 面積 です。")
    check(
        "調査年月日" not in density.columns or set(density["調査年月日"]) == {"2025-01-01"},
        "2025年1月1日 ではない年の人口を使っています。",
        "調査年月日が 2025-01-01 の行を使います。",
    )
    check(
        table_fingerprint(density, ["地域名"], "人口密度（人/km2）", digits=0) == "06fdcf9af007",
        "人口密度の値が違います。",
        "総人口（男性・女性・世帯数ではなく）を、面積（km2）で割ります。単位は km2 のままです。",
    )


q4 = Question(
    title="問4",
    key="q4",
    variables=["density"],
    prepared=["table_fingerprint"],
    steps=_q4_steps,
    where="density を作っている答えのセル（このチェックのすぐ上）",
    hints=[
        "教材「7. 部署をまたいで結合する（merge）」と同じ流れです。"
        "人口の表を 2025年1月1日の行だけにしてから町丁目一覧と結合し、総人口 ÷ 面積 の列を加えます。",
        'read_csv_from_ckan(…, dtype={"コードの列名": str}) でコードの列を文字として読み、'
        "人口の表の .merge(町丁目一覧, left_on=…, right_on=…) で left_on に 地域コード、"
        "right_on に 町字ID を指定します。人口密度は 総人口 の列 ÷ 面積（km2） の列で、列名は「人口密度（人/km2）"
        "」です（面積が文字のときは pd.to_numeric で数にします）。",
    ],
)
