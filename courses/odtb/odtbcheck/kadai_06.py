"""Self-checks and hints of 課題6 (src/06_mieruka/kadai_06_mieruka.nbsrc): q1 fig1/ax1 (bar chart), q2 fig2/ax2
(choropleth), q3 by_org (views per organisation), q4 ax4 (daily views and downloads), q5 before/after, q6 ax6 (the
evacuation sites on the district map). Each check cell reads ``qN.check()``: the ``check(…)`` steps below run on the
notebook's answer variables and the names of its locked cells they compare with (``latest``, ``geojson``,
``renders_without_tofu``, ``ckan``, ``usage_rows`` …), so the expected values are computed live from the catalogue,
never stored here; the notebook keeps only the hidden tests. Hints: the first a nudge naming the lesson's section
(kyozai_06_mieruka, its heading as the trainee sees it), the second concrete, never the answer line itself."""

from __future__ import annotations

import numbers

from odtbcheck.checks import check
from odtbcheck.questions import Question

# pandas, numpy and matplotlib are imported inside the functions that use them: the trainee's kernel has them,
# and this module must import without them (the unit tests' environment has none).


def _cell(*names: str) -> str:
    """Where to look when the check cannot start: the answer cell making these variables."""
    return f"{'、'.join(names)} を作っている答えのセル（このチェックのすぐ上）"


def _q1_steps(fig1, ax1, latest, renders_without_tofu):
    """The bars: 24, the 2025 population, largest first, each under its district's name; title, y label, no tofu."""
    bars = [p for p in ax1.patches if p.get_height() > 0]
    check(
        len(bars) == 24,
        f"棒の数が {len(bars)} です（24町丁目のはず）。",
        "2025年1月1日の latest の24行を描いてください（population には5年分あります）。",
    )
    heights = [p.get_height() for p in sorted(bars, key=lambda p: p.get_x())]
    check(
        sorted(heights) == sorted(latest["総人口"]),
        "棒の高さが総人口と合いません。",
        "総人口の列を縦軸にしてください（世帯数や男性・女性ではなく）。",
    )
    check(heights != sorted(heights), "少ない順に並んでいます。", "多い順（大きい順）に並べ替えてから描きます。")
    check(
        heights == sorted(heights, reverse=True),
        "多い順に並んでいません。",
        "総人口で並べ替えた表（sort_values）から棒を描きます。",
    )
    check(
        "人口" in ax1.get_title(),
        "題名に「人口」が入っていません。",
        "ax1.set_title(...) で、何の図かわかる日本語の題名を付けます。",
    )
    check(ax1.get_ylabel() != "", "縦軸の名前がありません。", "ax1.set_ylabel(...) で単位も付けます（例：人）。")
    check(
        renders_without_tofu(fig1),
        "日本語の文字が □ になっています。",
        "最初のセル（import matplotlib_fontja）を実行してから、図を作り直してください。",
    )
    ticks = {round(float(x), 3): t.get_text() for x, t in zip(ax1.get_xticks(), ax1.get_xticklabels(), strict=False)}
    people = dict(zip(latest["地域名"], latest["総人口"], strict=True))
    check(
        all(people.get(ticks.get(round(p.get_x() + p.get_width() / 2, 3))) == p.get_height() for p in bars),
        "棒の高さと町丁目の名前が対応していません（総人口だけを並べ替えていませんか）。",
        "表ごと並べ替え、その表の 地域名 と 総人口 を一緒に使います。",
    )


q1 = Question(
    title="問1",
    key="q1",
    variables=["fig1", "ax1"],
    prepared=["latest", "renders_without_tofu"],
    steps=_q1_steps,
    where=_cell("fig1", "ax1"),
    hints=[
        "教材「1. 日本語のグラフ」の高齢化率の棒グラフと同じ形です。"
        "先に表ごと総人口の多い順に並べ替え、その並べ替えた表から棒を描きます。",
        "latest.sort_values(並べる列の名前, ascending=False) で並べ替えた表を作り、"
        "ax1.bar(地域名の列, 総人口の列) で描きます。"
        "題名は ax1.set_title(...)、縦軸の名前は ax1.set_ylabel(...) で付けます。",
    ],
)


def _q2_steps(fig2, ax2, latest, geojson):
    """24 district shapes coloured by 年少人口割合（%）, each with its own district's value; colour bar and title."""
    import numpy as np

    shapes = sum(len(c.get_paths()) for c in ax2.collections) + len(ax2.patches)
    check(
        shapes >= 24,
        f"描かれた町丁目の形が {shapes} 個です（24のはず）。",
        'geojson["features"] のすべての町丁目を Polygon にして描いてください。',
    )
    check(len(fig2.axes) >= 2, "色の凡例（カラーバー）がありません。", "fig2.colorbar(...) で凡例を付けます。")
    check(ax2.get_title() != "", "題名がありません。", "ax2.set_title(...) で日本語の題名を付けます。")
    coloured = [c for c in ax2.collections if c.get_array() is not None and len(c.get_paths()) > 0]
    check(bool(coloured), "値で色分けされた図形がありません。", "collection.set_array(値のリスト) で色の値を渡します。")
    share = dict(zip(latest["地域コード"], latest["年少人口割合（%）"], strict=True))
    centres = {
        f["properties"]["町字ID"]: np.asarray(f["geometry"]["coordinates"][0], dtype=float).mean(axis=0)
        for f in geojson["features"]
    }
    painted = []
    for c in coloured:
        for path, value in zip(c.get_paths(), np.asarray(c.get_array(), dtype=float).ravel(), strict=False):
            centre = path.vertices.mean(axis=0)
            painted.append((min(centres, key=lambda code: ((centres[code] - centre) ** 2).sum()), value))
    check(
        sorted(round(v, 6) for _, v in painted) == sorted(round(share[code], 6) for code, _ in painted),
        "色分けの値が、年少人口割合（%）ではありません。",
        "年少人口割合（%）の列の値を使ってください（人数や総人口ではなく）。",
    )
    check(
        all(abs(share[code] - v) < 0.01 for code, v in painted) and len({code for code, _ in painted}) == 24,
        "色と町丁目の対応がずれています。",
        '値は geojson["features"] と同じ順に、町字ID（＝地域コード）で探して並べます（表の行の順番に頼らない）。',
    )


q2 = Question(
    title="問2",
    key="q2",
    variables=["fig2", "ax2"],
    prepared=["latest", "geojson"],
    steps=_q2_steps,
    where=_cell("fig2", "ax2"),
    hints=[
        "教材「2. 町丁目の地図（GeoJSON）」の高齢化率の塗り分け地図と同じ作り方です。"
        "色に使う値を、高齢化率から「年少人口割合（%）」に変えます。",
        'latest.set_index("地域コード") で、地域コードから年少人口割合（%）を引ける形にします。'
        'geojson["features"] を1つずつ見て、形（geometry の coordinates の [0]）は Polygon(..., closed=True) に、'
        '値は properties の "町字ID" で引いて、同じ順に2つのリストに集めます。',
        "集めた形で PatchCollection(形のリスト, cmap=...) を作り、.set_array(値のリスト) で色の値を渡して "
        "ax2.add_collection(...) と ax2.autoscale_view() で描きます。"
        "凡例は fig2.colorbar(..., ax=ax2)、題名は ax2.set_title(...) です。",
    ],
)


def _q3_steps(by_org, ckan):
    """Views summed per organisation title over all the city's datasets (not counts, downloads, recent views)."""
    import pandas as pd

    check(
        isinstance(by_org, pd.Series),
        "by_org が Series ではありません。",
        "組織の名前を索引、閲覧数の合計を値にした Series にします（groupby(...).sum() の結果など）。",
    )
    catalog_now = [d for d in ckan.action.package_search(rows=1000)["results"] if d["name"].startswith("midorino-")]
    titles = {d["organization"]["name"]: d["organization"]["title"] for d in catalog_now}
    check(
        not set(by_org.index) & (set(titles) - set(titles.values())),
        "索引が組織の英字の名前（name）になっています。",
        '組織の名前は ["organization"]["title"] です。',
    )
    check(
        set(titles.values()) <= set(by_org.index),
        "入っていない組織があります。",
        "rows=1000 で、すべてのデータセットを取り出してください（rows を付けないと10件だけです）。",
    )

    def per_org(value):
        """{organisation title: the sum of value(dataset)} over the city's datasets."""
        out = {}
        for d in catalog_now:
            out[d["organization"]["title"]] = out.get(d["organization"]["title"], 0) + value(d)
        return out

    def close(expected):
        """Does by_org match these numbers (within 5%: views keep coming while you work)?"""
        return all(abs(float(by_org.get(o, -1)) - n) <= max(2, 0.05 * n) for o, n in expected.items())

    check(
        not close(per_org(lambda d: 1)),
        "データセットの数を数えています。知りたいのは、どれだけ見られているか（閲覧数）です。",
        'tracking_summary の "total" を組織ごとに合計してください。',
    )
    check(
        not close(per_org(lambda d: sum((r.get("tracking_summary") or {}).get("total", 0) for r in d["resources"]))),
        "ダウンロード数を合計しています。",
        "データセットのページの閲覧数（データセットの tracking_summary）を使います。",
    )
    check(
        not close(per_org(lambda d: (d.get("tracking_summary") or {}).get("recent", 0))),
        "最近2週間の閲覧数になっています。",
        '累計は "total" です。',
    )
    check(
        close(per_org(lambda d: (d.get("tracking_summary") or {}).get("total", 0))),
        "組織ごとの閲覧数の合計が、カタログの数字と合いません。",
        "すべてのデータセット（rows=1000）の閲覧数（累計）を、組織の title ごとに足してください。",
    )
    check(by_org.is_monotonic_decreasing, "多い順に並んでいません。", "sort_values(ascending=False) で並べ替えます。")


q3 = Question(
    title="問3",
    key="q3",
    variables=["by_org"],
    prepared=["ckan"],
    steps=_q3_steps,
    where=_cell("by_org"),
    hints=[
        "教材「4. 利活用の見える化：カタログのダッシュボード」で、組織ごとに閲覧数を足した表と同じ考え方です。"
        "package_search は件数を指定しないと10件しか返さないことに気をつけます。",
        'package_search(rows=1000) の "results" のうち、name が "midorino-" で始まるものについて、'
        '組織の title（["organization"]["title"]）と tracking_summary の "total" を集めた表を作ります。'
        "groupby(組織の列)[閲覧数の列].sum() で足し、sort_values(ascending=False) で多い順にします。",
    ],
)


def _q4_steps(ax4, first_day, last_day, usage_rows):
    """Two lines of the daily counts (views, downloads) from first_day to last_day, named; legend, title, y label."""
    import numpy as np

    want_views, want_downloads = usage_rows("views", first_day, last_day), usage_rows("downloads", first_day, last_day)
    series = [line for line in ax4.get_lines() if len(line.get_ydata()) > 2]  # 縦線（2点）は数えません

    def ys(line):
        return [round(float(y), 6) for y in np.asarray(line.get_ydata(), dtype=float)]

    def drawn(values):
        """The lines whose heights are these daily counts."""
        return [line for line in series if ys(line) == [float(v) for v in values]]

    check(bool(series), "折れ線がありません。", "ax4.plot(日付, 回数, label=...) で線を描きます。")
    running = [[float(v) for v in np.cumsum(w)] for w in (want_views, want_downloads) if max(w) > 0 and len(w) > 1]
    check(
        not any(ys(line) in running for line in series),
        "累計（足し上げた数）の線になっています。",
        "知りたいのは1日ごとの回数です。rows の count をそのまま使います（cumsum は使いません）。",
    )
    check(
        all(len(line.get_ydata()) == len(want_views) for line in series),
        f"線の点の数が {sorted({len(line.get_ydata()) for line in series})} です（期間の日数と合いません）。",
        "start=first_day, end=last_day を指定して、1日ごとの値を（週ごとにまとめずに）描きます。",
    )
    check(
        bool(drawn(want_views)),
        "1日ごとの閲覧数の線がありません（期間か、データセットか、kind が違います）。",
        'id=EVACUATION, kind="views", start=first_day, end=last_day で取り出した count を描きます。',
    )
    check(
        bool(drawn(want_downloads)),
        "1日ごとのダウンロード数の線がありません。",
        'kind="downloads" でもう一度取り出し、2本目の線にします。',
    )
    check(
        ax4.get_legend() is not None,
        "凡例がありません。どちらの線が何かわかりません。",
        'それぞれの線に label="閲覧数" などを付け、ax4.legend() を実行します。',
    )
    check(
        all("閲覧" in line.get_label() for line in drawn(want_views))
        and all("ダウンロード" in line.get_label() for line in drawn(want_downloads)),
        "線の名前（label）が中身と合っていません。",
        "閲覧数の線に「閲覧数」、ダウンロード数の線に「ダウンロード数」の label を付けます。",
    )
    check(ax4.get_title() != "", "題名がありません。", "ax4.set_title(...) で何の図かわかる日本語の題名を付けます。")
    check(ax4.get_ylabel() != "", "縦軸の名前がありません。", "ax4.set_ylabel(...) で単位も付けます（例：回）。")


q4 = Question(
    title="問4",
    key="q4",
    variables=["ax4"],
    prepared=["first_day", "last_day", "usage_rows"],
    steps=_q4_steps,
    where=_cell("fig4", "ax4"),
    hints=[
        "教材「4-2. 利用の推移：広報の前と後」の、AED の閲覧数とダウンロード数を2本の折れ線にした図と同じ形です。"
        "データセットを EVACUATION に、期間を first_day から last_day に変えます。",
        'ckan.action.testbed_usage_daily(id=..., kind="views", start=..., end=...)["rows"] で1日ごとの行を取り出し、'
        'kind="downloads" でもう一度取り出します。'
        '各行の "date" は pd.to_datetime で日付にし、"count" をそのまま線の高さにします（足し上げません）。',
        'ax4.plot(日付, 回数, label="閲覧数") のように1本ずつ描き、ax4.legend() で凡例を出します。'
        "題名は ax4.set_title(...)、縦軸の名前は ax4.set_ylabel(...) です。",
    ],
)


def _q5_steps(before, after, announce_day, usage_rows):
    """Mean daily views of the 28 days before announce_day and the 7 days from it; the usual wrong windows named."""
    import pandas as pd

    def mean_views(first, last, kind="views"):
        """Mean daily count from announce_day+first to announce_day+last (days, both included)."""
        counts = usage_rows(
            kind,
            (announce_day + pd.Timedelta(days=first)).strftime("%Y-%m-%d"),
            (announce_day + pd.Timedelta(days=last)).strftime("%Y-%m-%d"),
        )
        return sum(counts) / len(counts)

    def near(value, expected):
        return abs(float(value) - expected) < 0.01

    def mistaken(value, first, last, kind="views", *, right):
        """Is value the mean of this wrong window (and not also the right one's)?"""
        return near(value, mean_views(first, last, kind)) and not near(value, mean_views(*right))

    check(
        all(isinstance(v, numbers.Real) and not isinstance(v, bool) for v in (before, after)),
        "before か after が1つの数ではありません。",
        "切り出した Series の .mean() の結果（1つの数）を入れます。",
    )
    check(
        not (near(before, 28 * mean_views(-28, -1)) or near(after, 7 * mean_views(0, 6)))
        or (near(before, mean_views(-28, -1)) and near(after, mean_views(0, 6))),
        "期間の合計になっています。",
        "期間の長さが違うので、合計ではなく1日あたりの平均（.mean()）で比べます。",
    )
    check(
        not (
            mistaken(before, -28, -1, "downloads", right=(-28, -1)) or mistaken(after, 0, 6, "downloads", right=(0, 6))
        ),
        "ダウンロード数の平均になっています。",
        'kind="views"（閲覧数）で取り出した数を使います。',
    )
    check(
        not mistaken(before, -27, 0, right=(-28, -1)),
        "「前」に広報の日が入っています。",
        "前は announce_day の28日前から、前日（announce_day - 1日）までです。",
    )
    check(
        not mistaken(after, 1, 7, right=(0, 6)),
        "「後」が広報の次の日から始まっています。",
        "後は announce_day 当日から6日後までの7日間です。",
    )
    check(
        not mistaken(before, -56, -1, right=(-28, -1)),
        "「前」が期間の最初の日からになっています（28日間ではありません）。",
        "前は広報の日の前の28日間だけです（announce_day - 28日 ～ announce_day - 1日）。",
    )
    check(
        near(before, mean_views(-28, -1)),
        "before（前の28日間の1日あたりの閲覧数）が、カタログの数字と合いません。",
        "announce_day - 28日 から announce_day - 1日 までの閲覧数の平均です（両端を含む28日）。",
    )
    check(
        near(after, mean_views(0, 6)),
        "after（広報の日からの7日間の1日あたりの閲覧数）が、カタログの数字と合いません。",
        "announce_day から announce_day + 6日 までの閲覧数の平均です（両端を含む7日）。",
    )


q5 = Question(
    title="問5",
    key="q5",
    variables=["before", "after"],
    prepared=["announce_day", "usage_rows"],
    steps=_q5_steps,
    where=_cell("before", "after"),
    hints=[
        "教材「4-2. 利用の推移：広報の前と後」の、前と後を1日あたりの平均で比べるセルと同じ考え方です。"
        "閲覧数を、日付を索引にした Series にしてから、期間で切り出して平均します。",
        'testbed_usage_daily（kind="views"、start=first_day、end=last_day）の rows から、'
        '"date" を pd.to_datetime した索引と "count" の値で Series を作ります。'
        "1日は pd.Timedelta(days=1) で表し、Series.loc[最初の日 : 最後の日].mean() で求めます"
        "（.loc は両端の日を含むので、前の最後の日は広報の前日です）。",
    ],
)


def _points_of(ax):
    """(x, y) of the points drawn: scatter, or plot(..., "o") without a connecting line."""
    import numpy as np
    from matplotlib.collections import PathCollection

    out = []
    for c in ax.collections:
        if isinstance(c, PathCollection):
            out += [(round(float(x), 4), round(float(y), 4)) for x, y in np.asarray(c.get_offsets(), dtype=float)]
    for line in ax.get_lines():
        if line.get_marker() not in (None, "", "None", " ") and line.get_linestyle() in ("None", "", " "):
            out += [
                (round(float(x), 4), round(float(y), 4))
                for x, y in zip(line.get_xdata(), line.get_ydata(), strict=False)
            ]
    return out


def _outline_count(ax):
    """Polygons drawn: paths of patch collections, single patches, and outline lines (4 points or more)."""
    from matplotlib.collections import PathCollection

    shapes = sum(len(c.get_paths()) for c in ax.collections if not isinstance(c, PathCollection))
    lines = [ln for ln in ax.get_lines() if len(ln.get_xdata()) >= 4 and ln.get_linestyle() not in ("None", "", " ")]
    return shapes + len(ax.patches) + len(lines)


def _place_set(table):
    """The (経度, 緯度) places of a table, rounded as the points are."""
    return {(round(float(x), 4), round(float(y), 4)) for x, y in zip(table["経度"], table["緯度"], strict=True)}


def _q6_steps(ax6, read_csv_from_ckan, EVACUATION):
    """The 24 district outlines and a point at (経度, 緯度) of every evacuation site, nothing else; a title."""
    evacuation = read_csv_from_ckan(EVACUATION)
    aed_places = read_csv_from_ckan("midorino-aed")
    drawn_points = _points_of(ax6)
    swapped = {(y, x) for x, y in _place_set(evacuation)}
    check(
        _outline_count(ax6) >= 24,
        "町丁目の境界が描かれていません（点だけでは、どこかわかりません）。",
        'geojson["features"] の24町丁目を Polygon にして PatchCollection で描き、その上に点を重ねます。',
    )
    check(
        bool(drawn_points),
        "点がありません（線でつないでいませんか）。",
        'ax6.scatter(経度, 緯度) で点を描きます（ax6.plot を使うなら "o" を付けて線なしに）。',
    )
    check(
        not set(drawn_points) & swapped,
        "緯度と経度が逆です（地図が横倒しになります）。",
        '横軸（x）が経度、縦軸（y）が緯度です：scatter(sites["経度"], sites["緯度"])。',
    )
    check(
        not (set(drawn_points) & _place_set(aed_places)) or set(drawn_points) <= _place_set(evacuation),
        "AED設置箇所の点が描かれています。",
        "指定緊急避難場所一覧（EVACUATION）のデータを読みます。",
    )
    check(
        set(drawn_points) <= _place_set(evacuation),
        "指定緊急避難場所ではない点があります。",
        "指定緊急避難場所一覧の 経度・緯度 の列を使います。",
    )
    check(
        set(drawn_points) == _place_set(evacuation),
        f"避難場所の点が {len(set(drawn_points))} か所です（すべてではありません）。",
        "head() などで一部を取り出さず、表のすべての行を描きます。",
    )
    check(ax6.get_title() != "", "題名がありません。", "ax6.set_title(...) で日本語の題名を付けます。")


q6 = Question(
    title="問6",
    key="q6",
    variables=["ax6"],
    prepared=["read_csv_from_ckan", "EVACUATION"],
    steps=_q6_steps,
    where=_cell("fig6", "ax6"),
    hints=[
        "教材「5. 施設を地図に載せる（インターネットの地図なし）」の AED の地図と同じ作り方で、"
        "読むデータを指定緊急避難場所一覧に変えます。横軸（x）が経度、縦軸（y）が緯度です。",
        "read_csv_from_ckan(EVACUATION) で表を読み、"
        "町丁目の形を PatchCollection にして ax6.add_collection(...) で描きます。"
        "その上に ax6.scatter(経度の列, 緯度の列) で表のすべての行を点にし、"
        "ax6.autoscale_view() と ax6.set_title(...) を付けます。",
    ],
)
