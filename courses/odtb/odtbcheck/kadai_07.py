"""Self-checks and hints of 課題7 (src/07_sogo/kadai_07_sogo.nbsrc): q1 pop2025/sites, q2 solo_elderly, q3 summary,
q4 fig/ax (scatter chart), q5 published (the dataset the locked publish cell made from ``metadata``). Each check cell
reads ``qN.check()``: the ``check(…)`` steps below run on the notebook's answer variables and the names they compare
with (``residents``, ``download``, ``my_org`` of its locked cells; earlier answers), so the expected values are
computed from the notebook's own tables and the catalogue, never stored here; the notebook keeps only the hidden
tests. Hints: the first a nudge naming the lesson's section (第N回 kyozai_NN, its heading as the trainee sees it: this
assignment reuses every earlier lesson), the second concrete, never the answer line itself. 問6 (the policy memo) is
graded by the instructor: no question."""

from __future__ import annotations

import io
import re
import warnings

from odtbcheck.checks import check
from odtbcheck.questions import Question

# pandas, numpy and matplotlib are imported inside the functions that use them: the trainee's kernel has them,
# and this module must import without them (the unit tests' environment has none).


def _cell(*names: str) -> str:
    """Where to look when the check cannot start: the answer cell making these variables."""
    return f"{'、'.join(names)} を作っている答えのセル（このチェックのすぐ上）"


def _q1_steps(pop2025, sites):
    """pop2025: the 24 districts of 2025-01-01, codes as 7-digit text; sites: the evacuation sites, codes as text."""
    check(
        set(pop2025["調査年月日"].astype(str)) == {"2025-01-01"},
        "pop2025 に2025年1月1日以外の行があります（または2025年の行がありません）。",
        '調査年月日が "2025-01-01" の行だけにしてください。',
    )
    check(len(pop2025) == 24, f"pop2025 の行数が {len(pop2025)} です（24のはず）。", "地区ごとに1行です。")
    check(
        pop2025["地域コード"].astype(str).str.len().eq(7).all(),
        "地域コードの先頭の 0 が落ちています（数として読まれました）。",
        '読むときに dtype={"地域コード": str} を付けて、文字列のまま読みます。',
    )
    check(
        "想定収容人数" in sites.columns and "町字ID" in sites.columns,
        "sites が指定緊急避難場所一覧ではありません。",
        "データセット midorino-evacuation-sites を読んでください。",
    )
    check(
        sites["町字ID"].astype(str).str.len().eq(7).all(),
        "町字ID の先頭の 0 が落ちています（数として読まれました）。",
        '読むときに dtype={"町字ID": str} を付けます。',
    )


q1 = Question(
    title="問1",
    key="q1",
    variables=["pop2025", "sites"],
    steps=_q1_steps,
    hints=[
        "第5回の教材の最初のセルと「問い2：避難場所の収容率」で、同じ2つのデータセットをカタログから読んでいます。"
        "人口の表には5年分の行があるので、2025年1月1日の行だけに絞り込みます。",
        "read_csv_from_ckan(データセットの名前, dtype={コードの列名: str}) の形で読みます"
        '（名前が分からなければ ckan.action.package_search(q="避難") などで探し、結果の "name" を使います）。'
        "絞り込みは、第0回「7. 条件で行を絞り込む」の 表[条件] の形で、調査年月日の列を使います。",
    ],
)


def _q2_steps(solo_elderly, pop2025, residents):
    """Residents living alone aged 65+ on 2025-01-01 per district, 1-4 blanked; the usual wrong rules named."""
    import pandas as pd

    check(
        isinstance(solo_elderly, pd.Series),
        "solo_elderly が Series ではありません。",
        'groupby("町丁目").size() の結果から作ってください。',
    )
    check(
        len(solo_elderly) == 24 and set(solo_elderly.index) == set(pop2025["地域名"]),
        f"索引が24町丁目になっていません（{len(solo_elderly)} 件）。",
        "いない町丁目も 0 として入れ、24町丁目にそろえます（reindex と fill_value）。",
    )
    born = pd.to_datetime(residents["生年月日"])
    years = 2025 - born.dt.year
    age = years - ((born.dt.month > 1) | ((born.dt.month == 1) & (born.dt.day > 1))).astype(int)
    alone = residents.groupby("世帯ID")["住民ID"].transform("size") == 1

    def count(rows):
        """Residents per 町丁目 over all 24 (0 where none)."""
        return residents[rows].groupby("町丁目").size().reindex(pop2025["地域名"], fill_value=0)

    truth = count(alone & (age >= 65))
    mine = pd.to_numeric(solo_elderly, errors="coerce").reindex(truth.index)
    check(
        not mine.between(1, 4).any(),
        "1～4人の値が秘匿されていません。",
        "1人以上5人未満を空欄（NaN）にします。",
    )
    check(
        not (mine.isna() & (truth == 0)).any(),
        "0人の町丁目まで空欄にしています。0 は秘匿しません。",
        "条件は「1人以上5人未満」です。",
    )
    check(
        not (mine.isna() & (truth > 5)).any(),
        "6人以上の町丁目まで空欄にしています。この研修の秘匿の基準は、第4回と同じ「5人未満」です。",
        "10人未満などのほかの基準ではなく、1人以上5人未満だけを空欄にします。",
    )
    check(
        not (mine.isna() & (truth == 5)).any(),
        "5人ちょうどの町丁目まで空欄にしています（「5人未満」に 5 は入りません）。",
        "「5人未満」は < 5 です（<= 5 ではありません）。5人の町丁目は残します。",
    )
    check(not (mine.eq(0) & truth.between(1, 4)).any(), "秘匿したマスを 0 にしています。", "0 ではなく NaN にします。")

    def as_published(counts):
        """The counts as published: 1-4 blanked, NaN written as -1 for comparing."""
        return counts.astype(float).mask(counts.between(1, 4)).fillna(-1)

    def same_as(other):
        """Is solo_elderly what another (wrong) rule gives?"""
        return (
            bool((mine.fillna(-1) == as_published(other)).all())
            and not (as_published(other) == as_published(truth)).all()
        )

    check(
        not same_as(count(alone)),
        "年齢の条件がありません（ひとり暮らしの全員を数えています）。",
        "65歳以上の人だけを数えます。",
    )
    check(
        not same_as(count(alone & (years >= 65))),
        "年齢を「2025 − 生まれ年」で計算しています（誕生日前の人が1歳多くなります）。",
        "2025年1月1日の満年齢です。誕生日がまだ来ていなければ1を引きます。",
    )
    check(
        not same_as(count(alone & (age > 65))),
        "65歳ちょうどの人が入っていません。",
        "「65歳以上」は 65 を含みます（>= 65）。",
    )
    check(
        not same_as(count(age >= 65)),
        "ひとり暮らしでない人も数えています。",
        "世帯の人数が1人の人だけを数えます（世帯IDごとの人数）。",
    )
    check(
        bool((mine.fillna(-1) == as_published(truth)).all()),
        "人数が違う町丁目があります。",
        "世帯の人数が1人、かつ2025年1月1日に65歳以上の人を、町丁目ごとに数えます。",
    )


q2 = Question(
    title="問2",
    key="q2",
    variables=["solo_elderly", "pop2025"],
    prepared=["residents"],
    steps=_q2_steps,
    where=_cell("solo_elderly"),
    hints=[
        "第4回の教材「4. 年齢に丸める」（2025年1月1日の満年齢）と「5. 集計と小さい値の秘匿」、"
        "第7回の教材「小さな練習：世帯の人数を数える」を組み合わせます。"
        "年齢 → 世帯の人数 → 2つの条件で絞って町丁目ごとに数える → 24町丁目にそろえる → 秘匿、の順に進めます。",
        "年齢は、生年月日を pd.to_datetime にして 2025 から生まれ年を引き、"
        "1月1日より後が誕生日の人（まだ誕生日が来ていない人）は1を引きます。"
        'residents.groupby("世帯ID")[どれかの列].transform("size") で、各行にその人の世帯の人数が並びます。',
        '2つの条件を & でつなぎ（それぞれ ( ) で囲みます）、絞った表を groupby("町丁目").size() で数えます。'
        '.reindex(pop2025 の "地域名" の列, fill_value=0) で24町丁目にそろえ、'
        "最後に .astype(float).mask(1人以上5人未満の条件) で秘匿します。",
    ],
)


def _q3_steps(summary, pop2025, sites, solo_elderly):
    """One row per district with the 75+ count and share, the summed capacity and its rate, and solo_elderly."""
    import pandas as pd

    columns = [
        "地域コード",
        "地域名",
        "総人口",
        "75歳以上",
        "75歳以上割合（%）",
        "想定収容人数",
        "収容率（%）",
        "単身高齢者（標本・5人未満秘匿）",
    ]
    missing = [c for c in columns if c not in summary.columns]
    check(not missing, f"列が足りません：{missing}", "表の説明のとおりに列を加えてください（列名も同じに）。")
    check(
        len(summary) == 24,
        f"行数が {len(summary)} です（24地区のはず）。",
        "pop2025 をもとに、1地区1行で作ってください。",
    )
    check(
        summary["地域コード"].is_unique, "同じ地区が2行以上あります。", "sites は町字IDごとに合計してから対応させます。"
    )
    mine = summary.set_index(summary["地域コード"].astype(str))
    base = pop2025.set_index("地域コード")
    mine = mine.reindex(base.index)
    band_cols = [c for c in base.columns if c.startswith(("75-79歳", "80-84歳", "85歳以上"))]
    old = base[band_cols].sum(axis=1)
    got_old = pd.to_numeric(mine["75歳以上"], errors="coerce")
    check(
        not (got_old == base[[c for c in band_cols if c.endswith("男性")]].sum(axis=1)).all(),
        "75歳以上が男性だけの人数です。",
        "男性と女性の両方の列を足します。",
    )
    check(
        not (got_old == old + base["70-74歳の男性"] + base["70-74歳の女性"]).all(),
        "75歳以上に 70-74歳 の人が入っています。",
        "75-79歳の列から足します。",
    )
    check(
        (got_old == old).all(),
        "75歳以上の人数が違います。",
        "75-79歳・80-84歳・85歳以上の、男女それぞれの列（6列）を足します。",
    )
    share = pd.to_numeric(mine["75歳以上割合（%）"], errors="coerce")
    check(
        not ((share - old / base["総人口"]).abs() < 0.0006).all(),
        "75歳以上割合が割合（0～1）のままです。",
        "× 100 してパーセントにします。",
    )
    check(
        ((share - old / base["総人口"] * 100).abs() < 0.06).all(),
        "75歳以上割合の値が違います。",
        "75歳以上 ÷ 総人口 × 100 です。",
    )
    per_site = sites.groupby("町字ID")["想定収容人数"]
    capacity = pd.to_numeric(mine["想定収容人数"], errors="coerce")
    check(capacity.notna().all(), "想定収容人数が空欄の地区があります。", "避難場所のない地区は 0 にします。")
    check(
        not (capacity == base.index.map(per_site.size()).fillna(0)).all(),
        "避難場所の数を数えています。",
        "想定収容人数を地区ごとに合計します。",
    )
    expected_capacity = pd.Series(base.index.map(per_site.sum()), index=base.index).fillna(0)
    check(
        (capacity == expected_capacity).all(),
        "想定収容人数が違う地区があります。",
        "町字ID と 地域コード で対応させて合計します。",
    )
    rate = pd.to_numeric(mine["収容率（%）"], errors="coerce")
    check(
        ((rate - expected_capacity / base["総人口"] * 100).abs() < 0.06).all(),
        "収容率の値が違います（割る順番と × 100 は？）。",
        "想定収容人数 ÷ 総人口 × 100 です。",
    )
    solo = pd.to_numeric(mine.set_index("地域名")["単身高齢者（標本・5人未満秘匿）"], errors="coerce")
    check(
        not solo.between(1, 4).any(),
        "単身高齢者に、秘匿されていない小さい数があります。",
        "問2の solo_elderly をそのまま使います。",
    )
    check(
        solo.reindex(solo_elderly.index).fillna(-1).eq(pd.to_numeric(solo_elderly).fillna(-1)).all(),
        "単身高齢者の列が、問2の solo_elderly と合いません。",
        "地域名で対応させます（行の順番に頼らない）。",
    )


q3 = Question(
    title="問3",
    key="q3",
    variables=["summary", "pop2025", "sites", "solo_elderly"],
    steps=_q3_steps,
    where=_cell("summary"),
    hints=[
        "第5回の教材「問い1：高齢化率（65歳以上人口 ÷ 総人口）」（年齢の列を選んで行ごとに足す）と"
        "「問い2：避難場所の収容率」（町字IDごとに合計して地域コードで対応させる）と同じ手順です。"
        "pop2025 の3列をコピーした表に、表の説明の順に1列ずつ加えていきます。",
        '75歳以上は、列名が "75-79歳"・"80-84歳"・"85歳以上" で始まる列（男女で6列）を '
        "[c for c in 列名のリスト if c.startswith(...)] で集め、.sum(axis=1) で行ごとに足します。"
        "割合と収容率は、どちらも「÷ 総人口 × 100」です。",
        'sites を町字IDごとに合計した Series（groupby と sum）を作り、"地域コード" の列に .map(...) で対応させます'
        "（避難場所のない地区は NaN になるので .fillna(0)）。"
        '単身高齢者の列は、"地域名" の列に .map(solo_elderly) で対応させます。',
    ],
)


def _q4_steps(fig, ax, summary):
    """A scatter of (75歳以上割合, 収容率) for every district, axes the right way round, Japanese labels, no tofu."""
    import numpy as np

    points = np.empty((0, 2))
    for c in ax.collections:
        points = np.vstack([points, np.asarray(c.get_offsets(), dtype=float).reshape(-1, 2)])
    lines = [line for line in ax.get_lines() if len(line.get_xdata()) > 1]
    check(
        not any(line.get_linestyle() not in ("None", "", " ") for line in lines),
        "折れ線になっています。",
        "点だけを描く散布図にします（ax.scatter）。",
    )
    for line in lines:
        points = np.vstack([points, np.column_stack([line.get_xdata(), line.get_ydata()]).astype(float)])
    check(len(points) > 0, "散布図の点がありません。", "ax.scatter(横軸の列, 縦軸の列) で描きます。")
    check(
        len(points) == len(summary),
        f"点の数が {len(points)} です（{len(summary)} 地区のはず）。",
        "summary のすべての地区を描きます。",
    )
    x_col, y_col = summary["75歳以上割合（%）"].astype(float), summary["収容率（%）"].astype(float)
    want = sorted(zip(x_col.round(3), y_col.round(3), strict=True))
    got = sorted(zip(points[:, 0].round(3), points[:, 1].round(3), strict=True))
    check(
        got != sorted(zip(y_col.round(3), x_col.round(3), strict=True)),
        "横軸と縦軸が逆です。",
        "横軸（1つ目）が75歳以上割合、縦軸（2つ目）が収容率です。",
    )
    check(
        got == want,
        "点の位置が、75歳以上割合（%）と収容率（%）の組み合わせと合いません。",
        "summary の2つの列をそのまま使います（人数ではなく割合）。",
    )
    japanese = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
    check(
        all(japanese.search(t or "") for t in (ax.get_title(), ax.get_xlabel(), ax.get_ylabel())),
        "題名か軸の名前がない（または日本語でない）ものがあります。",
        "ax.set_title / ax.set_xlabel / ax.set_ylabel で、日本語の名前を付けます。",
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig.canvas.draw()
    check(
        not any("missing from" in str(w.message) for w in caught),
        "日本語の文字が □ になっています。",
        "import matplotlib_fontja を実行してから図を作り直します。",
    )


q4 = Question(
    title="問4",
    key="q4",
    variables=["fig", "ax", "summary"],
    steps=_q4_steps,
    where=_cell("fig", "ax"),
    hints=[
        "第6回の教材「5. 施設を地図に載せる（インターネットの地図なし）」で使った点の描き方（scatter）と、"
        "「1. 日本語のグラフ」の題名・軸の名前の付け方を使います。",
        "fig, ax = plt.subplots(...) のあと、ax.scatter(横軸の列, 縦軸の列) で点を描きます（1つ目が横軸）。"
        "ax.set_title(...)・ax.set_xlabel(...)・ax.set_ylabel(...) で日本語の名前を付け、"
        "地域名は for 文で1行ずつ ax.annotate(名前, (x, y)) で添えられます。",
    ],
)


def _q5_steps(published, my_org, download):
    """The published dataset: its name, notes, an open licence, tags, and a UTF-8 CSV of the protected summary."""
    import pandas as pd

    check(
        published["name"] == my_org["name"] + "-hinan-kourei",
        "データセット名が指定と違います。",
        "name は、自分の組織名のあとに -hinan-kourei を付けたものです。",
    )
    check(
        len(published.get("notes") or "") >= 30,
        "説明が短すぎます。",
        "出典・時点・秘匿のルールを30文字以上で書きます。",
    )
    check(
        published.get("license_id") in ("cc-by-4.0", "pdl-1.0"),
        "公開データとして使えるライセンスが付いていません（internal-only は庁内限りです）。",
        "license_id に、オープンデータのライセンス（CC BY 4.0 か 公共データ利用規約）を書きます。",
    )
    check(len(published.get("tags") or []) >= 1, "タグがありません。", "tags に1つ以上のタグを付けます。")
    raw = download(published["resources"][0])
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = None
    check(
        text is not None,
        "カタログ上の CSV が UTF-8 ではありません（Shift_JIS など）。",
        "to_csv の encoding を utf-8（Excel で開くなら utf-8-sig）にして保存し、公開し直します。",
    )
    remote = pd.read_csv(io.StringIO(text), dtype={"地域コード": str})
    personal = [c for c in ["氏名", "氏名_カナ", "住民ID", "世帯ID", "住所", "番地", "生年月日"] if c in remote.columns]
    check(not personal, f"公開した表に個人の情報の列があります：{personal}", "集計表 summary だけを公開します。")
    check(
        len(remote) == 24 and "収容率（%）" in remote.columns,
        "カタログ上の CSV が集計表 summary と違います。",
        "summary を保存してから、公開のセルを実行し直してください。",
    )
    check(
        not remote["単身高齢者（標本・5人未満秘匿）"].between(1, 4).any(),
        "公開した表に、秘匿されていない小さい数（1～4）があります。",
        "問2の秘匿した solo_elderly を使った summary を公開します。",
    )


q5 = Question(
    title="問5",
    key="q5",
    variables=["published"],
    prepared=["my_org", "download"],
    steps=_q5_steps,
    where="metadata を作っている答えのセルと、その下の公開のセル（published を作るセル）",
    hints=[
        "第1回の教材「5. メタデータと公開（ckanapi）」の練習の metadata と同じ形の辞書を作ります。"
        "公開は下の読み取り専用のセルがするので、書いたら答えのセル → 公開のセル → 自己チェックの順に実行します。",
        'summary.to_csv(ファイル名, index=False, encoding="utf-8") で保存します。'
        'metadata には "name"（my_org["name"] のあとに -hinan-kourei）・"title"・"notes"（出典・時点・秘匿のルール）・'
        '"license_id"（第1回「4. ライセンス」のオープンデータのライセンス）・'
        '"tags"（[{"name": ...}] のリスト）を書きます。',
    ],
)
