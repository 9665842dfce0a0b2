"""Hints of 課題6 (src/06_mieruka/kadai_06_mieruka.nbsrc). Its checks are written out in the notebook
(``check(…)`` lines, expected values as fingerprints); each check cell starts with ``qN.start()`` and ends with
``qN.passed()``, so attempts, failures and hints reach the board. Hints: the first a nudge naming the lesson's
section (kyozai_06_mieruka, its heading as the trainee sees it), the second concrete, never the answer line itself."""

from __future__ import annotations

from odtbcheck.questions import Question

q1 = Question(
    title="問1",
    key="q1",
    hints=[
        "教材「1. 日本語のグラフ」の高齢化率の棒グラフと同じ形です。"
        "先に表ごと総人口の多い順に並べ替え、その並べ替えた表から棒を描きます。",
        "latest.sort_values(並べる列の名前, ascending=False) で並べ替えた表を作り、"
        "ax1.bar(地域名の列, 総人口の列) で描きます。"
        "題名は ax1.set_title(...)、縦軸の名前は ax1.set_ylabel(...) で付けます。",
    ],
)

q2 = Question(
    title="問2",
    key="q2",
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

q3 = Question(
    title="問3",
    key="q3",
    hints=[
        "教材「4. 利活用の見える化：カタログのダッシュボード」で、組織ごとに閲覧数を足した表と同じ考え方です。"
        "package_search は件数を指定しないと10件しか返さないことに気をつけます。",
        'package_search(rows=1000) の "results" のうち、name が "midorino-" で始まるものについて、'
        '組織の title（["organization"]["title"]）と tracking_summary の "total" を集めた表を作ります。'
        "groupby(組織の列)[閲覧数の列].sum() で足し、sort_values(ascending=False) で多い順にします。",
    ],
)

q4 = Question(
    title="問4",
    key="q4",
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

q5 = Question(
    title="問5",
    key="q5",
    hints=[
        "教材「4-2. 利用の推移：広報の前と後」の、前と後を1日あたりの平均で比べるセルと同じ考え方です。"
        "閲覧数を、日付を索引にした Series にしてから、期間で切り出して平均します。",
        'testbed_usage_daily（kind="views"、start=first_day、end=last_day）の rows から、'
        '"date" を pd.to_datetime した索引と "count" の値で Series を作ります。'
        "1日は pd.Timedelta(days=1) で表し、Series.loc[最初の日 : 最後の日].mean() で求めます"
        "（.loc は両端の日を含むので、前の最後の日は広報の前日です）。",
    ],
)

q6 = Question(
    title="問6",
    key="q6",
    hints=[
        "教材「5. 施設を地図に載せる（インターネットの地図なし）」の AED の地図と同じ作り方で、"
        "読むデータを指定緊急避難場所一覧に変えます。横軸（x）が経度、縦軸（y）が緯度です。",
        "read_csv_from_ckan(EVACUATION) で表を読み、"
        "町丁目の形を PatchCollection にして ax6.add_collection(...) で描きます。"
        "その上に ax6.scatter(経度の列, 緯度の列) で表のすべての行を点にし、"
        "ax6.autoscale_view() と ax6.set_title(...) を付けます。",
    ],
)
