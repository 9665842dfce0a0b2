"""Hints of 課題7 (src/07_sogo/kadai_07_sogo.nbsrc). Its checks are written out in the notebook
(``check(…)`` lines, expected values as fingerprints); each check cell starts with ``qN.start()`` and ends with
``qN.passed()``, so attempts, failures and hints reach the board. Hints: the first a nudge naming the lesson's
section (第N回 kyozai_NN, its heading as the trainee sees it: this assignment reuses every earlier lesson), the
second concrete, never the answer line itself. 問6 (the policy memo) is graded by the instructor: no question."""

from __future__ import annotations

from odtbcheck.questions import Question

q1 = Question(
    title="問1",
    key="q1",
    hints=[
        "第5回の教材の最初のセルと「問い2：避難場所の収容率」で、同じ2つのデータセットをカタログから読んでいます。"
        "人口の表には5年分の行があるので、2025年1月1日の行だけに絞り込みます。",
        "read_csv_from_ckan(データセットの名前, dtype={コードの列名: str}) の形で読みます"
        '（名前が分からなければ ckan.action.package_search(q="避難") などで探し、結果の "name" を使います）。'
        "絞り込みは、第0回「7. 条件で行を絞り込む」の 表[条件] の形で、調査年月日の列を使います。",
    ],
)

q2 = Question(
    title="問2",
    key="q2",
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

q3 = Question(
    title="問3",
    key="q3",
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

q4 = Question(
    title="問4",
    key="q4",
    hints=[
        "第6回の教材「5. 施設を地図に載せる（インターネットの地図なし）」で使った点の描き方（scatter）と、"
        "「1. 日本語のグラフ」の題名・軸の名前の付け方を使います。",
        "fig, ax = plt.subplots(...) のあと、ax.scatter(横軸の列, 縦軸の列) で点を描きます（1つ目が横軸）。"
        "ax.set_title(...)・ax.set_xlabel(...)・ax.set_ylabel(...) で日本語の名前を付け、"
        "地域名は for 文で1行ずつ ax.annotate(名前, (x, y)) で添えられます。",
    ],
)

q5 = Question(
    title="問5",
    key="q5",
    hints=[
        "第1回の教材「5. メタデータと公開（ckanapi）」の練習の metadata と同じ形の辞書を作ります。"
        "公開は下の読み取り専用のセルがするので、書いたら答えのセル → 公開のセル → 自己チェックの順に実行します。",
        'summary.to_csv(ファイル名, index=False, encoding="utf-8") で保存します。'
        'metadata には "name"（my_org["name"] のあとに -hinan-kourei）・"title"・"notes"（出典・時点・秘匿のルール）・'
        '"license_id"（第1回「4. ライセンス」のオープンデータのライセンス）・'
        '"tags"（[{"name": ...}] のリスト）を書きます。',
    ],
)
