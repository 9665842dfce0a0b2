"""Hints of 課題1 (src/01_kokai/kadai_01_kokai.nbsrc). Its checks are written out in the notebook
(``check(…)`` lines, expected values as fingerprints); each check cell starts with ``qN.start()`` and ends with
``qN.passed()``, so attempts, failures and hints reach the board. Hints: the first a nudge, the second concrete,
never the answer line itself."""

from __future__ import annotations

from odtbcheck.questions import Question

q1 = Question(
    title="問1",
    key="q1",
    hints=[
        "教材「1. 機械判読に適した表のルール」で、受け取ったファイルをカタログから取り出して表に読み、"
        "「やってみよう：~ で「～ではない」行を残す」で注記の行を取り除いた手順を、そのままたどります。",
        'package_show の結果の ["resources"][0] を download(...) でバイト列にし、io.BytesIO(...) で包んで '
        "pd.read_csv に渡します（encoding・skiprows・dtype=str を指定）。"
        "注記の行は、「番号」が ※ で始まるか（.str.startswith）の条件の前に ~ を付けて、"
        "※ で始まらない行だけを残します。",
    ],
)

q2 = Question(
    title="問2",
    key="q2",
    hints=[
        "教材「やってみよう：対応表（辞書）で値を置き換える」と同じ考え方です。"
        "○ と × をそれぞれ何に置き換えるかの対応表を作り、「小児用パッド」の列に使います。",
        '対応表は {"元の値": "新しい値", …} の形の辞書で、○ と × の両方を書きます（書かなかった値は空欄になります）。'
        'raw["小児用パッド"] の後ろに .map(対応表) を付けた結果を child_pads に入れます。',
    ],
)

q3 = Question(
    title="問3",
    key="q3",
    hints=[
        '問題文の表の1行ごとに、aed["標準の項目"] = … の形で1列ずつ作ります。'
        "「半角に」は、教材「2. 全角の数字・記号を半角に：NFKC 正規化」の normalize を列の値1つずつに使うことです。",
        '半角にした列は raw["列名"].map(normalize) の形で作れます。所在地_連結表記はその前に "若葉県" を + でつなげ、'
        '設置位置は半角にした後ろに .str.replace(" ", "") を付けて空白を取ります。',
        "「利用できる時間」の列に .map(split_hours) を付けると、（開始, 終了）の組の列ができます。"
        "組の1つ目（.str[0]）を開始時間、2つ目（.str[1]）を終了時間に入れ、"
        "小児対応設備の有無には問2の child_pads を入れます。",
    ],
)

q4 = Question(
    title="問4",
    key="q4",
    hints=[
        "教材「5. メタデータと公開（ckanapi）」で、練習の表を CSV に保存したセル（to_csv）と同じです。"
        "ファイル名・行番号を書き出さないこと・文字コードの3つを指定します。",
        'aed.to_csv(...) の ( ) の中に、ファイル名（" " で囲む）、行番号を書き出さない index=False、'
        '文字コードの encoding=（UTF-8 の名前。Excel 向けなら "utf-8-sig"）をカンマで区切って書きます。',
    ],
)

q5 = Question(
    title="問5",
    key="q5",
    hints=[
        "教材「5. メタデータと公開（ckanapi）」の練習のセルで作った辞書 metadata と同じ形です。"
        '問題文の6つの項目を、"name" のような見出しと値の組で書き、下の公開のセルも実行します。',
        'name は my_org["name"] と "-aed" を + でつなげ、license_id には表示名ではなく id を書きます。'
        'tags は [{"name": "…"}]、extras は [{"key": "更新頻度", "value": "…"}] の形のリストです。',
    ],
)
