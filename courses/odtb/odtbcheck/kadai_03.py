"""Hints of 課題3 (src/03_totonoeru/kadai_03_totonoeru.nbsrc). Its checks are written out in the notebook
(``check(…)`` lines, expected values as fingerprints); each check cell starts with ``qN.start()`` and ends with
``qN.passed()``, so attempts, failures and hints reach the board. Hints: the first a nudge, the second concrete,
never the answer line itself."""

from __future__ import annotations

from odtbcheck.questions import Question

q1 = Question(
    title="問1",
    key="q1",
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

q2 = Question(
    title="問2",
    key="q2",
    hints=[
        "教材「5. 検査数字付きのコード」の関数 check_digit が、検査数字の1文字を作る計算です。問2では、"
        "その1文字を5桁のコードの後ろにつなげた6桁の文字を返します。",
        "zip(code5, (6, 5, 4, 3, 2)) で各桁と重みを組にし、int(桁) × 重み を sum(...) で足します。"
        "問題文のきまりで 11 から引いた数の1の位（% 10）を str(...) で文字にし、"
        "code5 の後ろに + でつなげます（code5 は数にしないので、先頭の 0 も残ります）。",
    ],
)

q3 = Question(
    title="問3",
    key="q3",
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

q4 = Question(
    title="問4",
    key="q4",
    hints=[
        "教材「7. 部署をまたいで結合する（merge）」と同じ流れです。"
        "人口の表を 2025年1月1日の行だけにしてから町丁目一覧と結合し、総人口 ÷ 面積 の列を加えます。",
        'read_csv_from_ckan(…, dtype={"コードの列名": str}) でコードの列を文字として読み、'
        "人口の表の .merge(町丁目一覧, left_on=…, right_on=…) で left_on に 地域コード、"
        "right_on に 町字ID を指定します。人口密度は 総人口 の列 ÷ 面積（km2） の列で、列名は「人口密度（人/km2）"
        "」です（面積が文字のときは pd.to_numeric で数にします）。",
    ],
)
