"""Self-checks of 課題0 (courses/odtb/src/00_hajimeni/kadai_00_hajimeni.nbsrc): q1 city, q2 total_capacity,
q3 large. The table is the assignment's ``shelters`` (190, 200, 180, 190 people)."""

from __future__ import annotations

import unicodedata

from odtbcheck.questions import Question, Rule
from odtbcheck.values import as_number, names_of

CITY = "みどり野市"
CAPACITIES = {"北山公民館": 190, "西原公民館": 200, "旭町公民館": 180, "松原公民館": 190}
THRESHOLD = 190
LARGE = sorted(name for name, n in CAPACITIES.items() if n >= THRESHOLD)


def _text(v) -> str:
    return v if isinstance(v, str) else ""


q1 = Question(
    title="問1",
    key="q1",
    variables=["city"],
    correct=lambda v: v["city"] == CITY,
    problem="市の名前の書き方が、問題文の名前と違います。",
    fix="問題文の市の名前と1文字ずつ見比べてください（漢字・ひらがな・カタカナの違いに注意）。",
    rules=[
        Rule(
            lambda v: not isinstance(v["city"], str),
            "city が文字列（文字の並び）ではありません。",
            '市の名前を " " で囲んでください（例：city = "○○市"）。',
        ),
        Rule(
            lambda v: v["city"] != v["city"].strip(),
            "名前の前か後ろに空白が入っています。",
            '" " の内側の、名前の前後の空白（全角の空白も）を消してください。',
        ),
        Rule(
            lambda v: " " in v["city"] or "\u3000" in v["city"],
            "名前の途中に空白が入っています。",
            "名前の途中の空白を消してください（全角の空白は見えにくいので注意）。",
        ),
        Rule(
            lambda v: v["city"] == CITY[:-1],
            "「市」が抜けています。",
            "市の名前は「市」まで含めて書きます。",
        ),
        Rule(
            lambda v: unicodedata.normalize("NFKC", v["city"]) != v["city"],
            "全角の英数字や記号など、書き方の違う文字が入っています。",
            "問題文からコピーするか、日本語入力で打ち直してください。",
        ),
    ],
    hints=[
        '文字列は " " で囲みます。例：name = "研修"',
        '問題文の太字の市の名前を " " で囲んで、city = の右に書きます。',
    ],
)


def _total(v):
    return as_number(v["total_capacity"])


def _series_like(x) -> bool:
    return hasattr(x, "shape") and getattr(x, "shape", ()) != ()


values = list(CAPACITIES.values())
q2 = Question(
    title="問2",
    key="q2",
    variables=["total_capacity"],
    correct=lambda v: _total(v) == sum(values),
    problem="合計の値が違います。",
    fix="列「想定収容人数」の、すべての行の値を足し合わせていますか。別の列や、一部の行だけを使っていないか確かめてください。",
    rules=[
        Rule(
            lambda v: isinstance(v["total_capacity"], str),
            "total_capacity が文字列になっています（数ではなく文字として入っています）。",
            '" " で囲まずに、表の列から計算してください。',
        ),
        Rule(
            lambda v: _series_like(v["total_capacity"]),
            "total_capacity が表や列のまま入っています（1つの数になっていません）。",
            "列を取り出したあと、値をまとめて1つの数にする計算（教材で見た .sum() など）をつけます。",
        ),
        Rule(
            lambda v: isinstance(v["total_capacity"], bool) or _total(v) is None,
            "total_capacity が数ではありません。",
            "列の値を足し合わせた数を入れてください。",
        ),
        Rule(
            lambda v: _total(v) == len(values),
            "行の数（避難所の数）になっています。数えたのではなく、人数を足し合わせます。",
            "len(…) や .count() は「何行あるか」です。列の値を足し合わせる計算を使ってください。",
        ),
        Rule(
            lambda v: _total(v) == sum(values) / len(values),
            "平均になっています。問われているのは合計です。",
            ".mean() は平均です。足し合わせる計算に変えてください。",
        ),
        Rule(
            lambda v: _total(v) in (max(values), min(values)),
            "最も大きい（または小さい）1つの値になっています。すべての避難所を足し合わせます。",
            ".max() や .min() ではなく、足し合わせる計算を使ってください。",
        ),
        Rule(
            lambda v: _total(v) is not None and not float(_total(v)).is_integer(),
            "整数になっていません（人数の合計は整数です）。",
            "割り算や平均をしていないか確かめてください。",
        ),
    ],
    hints=[
        "教材の「列を取り出す」と「合計」の書き方を組み合わせます。",
        'shelters["列名"] で列を取り出し、その後ろに .sum() をつけます。列名は表の見出しをそのまま使います。',
    ],
)


def _large(v):
    return v["large"]


def _is_table(x) -> bool:
    return hasattr(x, "columns") and hasattr(x, "index")


q3 = Question(
    title="問3",
    key="q3",
    variables=["large"],
    correct=lambda v: (
        names_of(_large(v), "名称") == LARGE and all(n >= THRESHOLD for n in _large(v)["想定収容人数"].tolist())
    ),
    problem="取り出した避難所が違います。",
    fix="条件の列名・比べる数・記号（>=、>、<= など）をもう一度確かめてください。",
    rules=[
        Rule(
            lambda v: not _is_table(_large(v)) and str(getattr(_large(v), "dtype", "")) == "bool",
            "large が True/False の列（条件そのもの）になっています。",
            "条件を shelters[ ] の [ ] の中に入れると、条件に合う行だけの表になります。",
        ),
        Rule(
            lambda v: not _is_table(_large(v)),
            "large が表（DataFrame）ではありません。",
            "shelters[条件] の形で、元の表から行を取り出してください（列だけを取り出さないでください）。",
        ),
        Rule(
            lambda v: not {"名称", "想定収容人数"} <= set(_large(v).columns),
            "表の列が足りません（「名称」と「想定収容人数」の両方が必要です）。",
            "列を選ばずに、shelters[条件] で行だけを取り出してください。",
        ),
        Rule(
            lambda v: len(_large(v)) == len(CAPACITIES),
            "すべての避難所が入っています。条件で絞り込めていません。",
            "shelters[条件] の [ ] の中に、収容人数についての条件を書いてください。",
        ),
        Rule(
            lambda v: "旭町公民館" in (names_of(_large(v), "名称") or []),
            "基準より少ない避難所が入っています。条件の向き（以上か以下か）を確かめてください。",
            "「以上」は、その数と同じか大きいものです。",
        ),
        Rule(
            lambda v: names_of(_large(v), "名称") == ["西原公民館"],
            "基準ちょうどの人数の避難所が入っていません。「以上」はその数を含みます。",
            "> は「より大きい」（その数を含まない）、>= は「以上」（その数を含む）です。",
        ),
        Rule(
            lambda v: names_of(_large(v), "名称") == ["北山公民館", "松原公民館"],
            "基準の人数と「ちょうど同じ」避難所だけになっています。問われているのは「以上」です。",
            "== は「ちょうど同じ」です。「以上」を表す記号に変えてください。",
        ),
        Rule(
            lambda v: len(set(names_of(_large(v), "名称") or [])) != len(_large(v)),
            "同じ避難所が2回以上入っています。",
            "表をつなげたりせず、shelters[条件] で1回だけ取り出してください。",
        ),
    ],
    hints=[
        "上の「表から行を取り出す」の例と同じ形で、条件だけを変えます。",
        '条件は shelters["想定収容人数"] と数を比べる式です。「以上」を表す記号は >= です。',
    ],
)
