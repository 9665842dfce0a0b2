"""Self-checks of 課題8 (src/08_yobo/kadai_08_yobo.nbsrc), the role-play: q1 taio and riyu (how to answer the two
training copies of data requests), q2 geojson (the file hinanbasho.geojson made from the table ``hinanbasho``),
q3 published (the GeoJSON published and its request closed as 公開済み), q4 kotae_meibo (the personal-data request
closed as 対応不可 with an explanation).

q1 and q2 check the trainee's values. q3 and q4 read the trainee's own CKAN state through the notebook's locked
``request_state`` (with the trainee's token): in grading the kernel has no token, and the trusted grader scores
those two cells from CKAN itself (``# testbed-ckan-check``, grader/ckan_checks.py), so nothing here decides the
grade of q3/q4. Hints: the first a nudge, the second concrete, never the answer line itself."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

from odtbcheck.checks import check
from odtbcheck.questions import Question

MEETABLE, PERSONAL = "指定緊急避難場所", "避難行動要支援者名簿"
RESOLUTIONS = {"公開済み": "published", "対応不可": "rejected", "一部対応": "partial", "重複": "duplicate"}
REASONS = {
    "個人情報を含むため": "personal_data",
    "第三者の権利・利益を害するおそれがあるため": "third_party",
    "安全や防犯に支障があるため": "security",
    "市が保有していないデータのため": "not_held",
    "作成・加工の負担が大きすぎるため": "cost",
    "その他": "other",
}
GEOJSON_FILE = "hinanbasho.geojson"
PROPERTIES = ("名称", "所在地_連結表記", "想定収容人数")


def _code(value, table: dict) -> str | None:
    """The API code of a label or code (full-width letters and stray spaces folded), or None."""
    if not isinstance(value, str):
        return None
    text = unicodedata.normalize("NFKC", value).strip()
    return table.get(text) or (text if text in table.values() else None)


def _q1_steps(taio, riyu):
    check(
        isinstance(taio, dict),
        "taio が辞書ではありません。",
        '{"指定緊急避難場所": "…", "避難行動要支援者名簿": "…"} の形で書いてください。',
    )
    missing = [k for k in (MEETABLE, PERSONAL) if k not in taio]
    check(
        not missing,
        f"taio に「{'」「'.join(missing)}」がありません。",
        "辞書のキーは、ひな形のまま（要望の名前）にします。",
    )
    meetable, personal = _code(taio[MEETABLE], RESOLUTIONS), _code(taio[PERSONAL], RESOLUTIONS)
    check(
        meetable is not None and personal is not None,
        "対応の書き方が違います。",
        "「公開済み」か「対応不可」（または published / rejected）で書きます。",
    )
    check(
        personal not in ("published", "partial"),
        "避難行動要支援者名簿を公開しようとしています。名簿は氏名・住所・心身の状況を含む個人情報です。",
        "第4回で学んだとおり、個人を識別できる表はオープンデータにしません。対応不可にします。",
    )
    check(
        meetable == "published",
        "指定緊急避難場所の要望を断っています。避難場所の一覧は市がすでに CSV で公開している、個人情報を含まない"
        "データです。",
        "形式を変えれば応えられる要望です。GeoJSON を作って公開し、「公開済み」で完了にします。",
    )
    check(personal == "rejected", "避難行動要支援者名簿の対応が違います。", "「対応不可」にします。")
    reason = _code(riyu, REASONS)
    check(
        reason is not None,
        "riyu が理由の一覧のどれでもありません。",
        "準備のセルの REASONS から、キー（personal_data など）か日本語の理由をそのまま書きます。",
    )
    check(
        reason == "personal_data",
        "対応不可の理由が違います。名簿が公開できないいちばんの理由は何でしょう。",
        "名簿に何が書かれているか（氏名・住所・必要な支援の内容）を見直し、第4回の個人情報の考え方で選びます。",
    )


q1 = Question(
    title="問1",
    key="q1",
    variables=["taio", "riyu"],
    steps=_q1_steps,
    hints=[
        "要望ごとに「求められているデータに、個人を識別できる情報が入っているか」を考えます（第4回）。"
        "避難場所は施設の情報、名簿は人の情報です。",
        "避難場所の一覧は市が CSV で公開済みなので、GeoJSON に変えれば応えられます（公開済み）。"
        "名簿は氏名・住所を含むので対応不可、理由は REASONS のうち個人情報のものです。",
    ],
)


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _q2_steps(geojson, hinanbasho):
    check(isinstance(geojson, dict), "geojson が辞書ではありません。", '{"type": "FeatureCollection", …} にします。')
    check(
        geojson.get("type") == "FeatureCollection",
        '"type" が "FeatureCollection" ではありません。',
        'いちばん外側の辞書に "type": "FeatureCollection" と "features"（地物のリスト）を入れます。',
    )
    features = geojson.get("features")
    check(isinstance(features, list), '"features" がリストではありません。', "地物（Feature）の辞書をリストにします。")
    check(
        len(features) == len(hinanbasho),
        f"地物の数が {len(features)} です（表 hinanbasho は {len(hinanbasho)} 行）。",
        "試しに一部の行（head など）で作っていませんか。表のすべての行から地物を作ります。",
    )
    check(
        all(isinstance(f, dict) and f.get("type") == "Feature" for f in features),
        '"features" の中身が、"type": "Feature" の辞書になっていません。',
        '1行ごとに {"type": "Feature", "geometry": {...}, "properties": {...}} を作ります。',
    )
    geometries = [f.get("geometry") or {} for f in features]
    check(
        all(g.get("type") == "Point" for g in geometries),
        '"geometry" の "type" が "Point" ではありません（大文字・小文字も区別されます）。',
        '"geometry": {"type": "Point", "coordinates": [経度, 緯度]} と書きます。',
    )
    coords = [g.get("coordinates") for g in geometries]
    check(
        all(isinstance(c, list | tuple) and len(c) == 2 for c in coords),
        '"coordinates" が2つの値のリストになっていません。',
        "[経度, 緯度] の2つの数のリストにします。",
    )
    check(
        all(_is_number(x) for c in coords for x in c),
        "座標が数ではなく文字になっています。",
        "緯度・経度は数のまま（str(...) で文字にしないで）入れます。",
    )
    lat = sorted(round(float(v), 6) for v in hinanbasho["緯度"])
    lon = sorted(round(float(v), 6) for v in hinanbasho["経度"])
    firsts = sorted(round(float(c[0]), 6) for c in coords)
    check(
        firsts != lat,
        "緯度と経度が逆です。GeoJSON の座標は [経度, 緯度] の順です。",
        '"coordinates": [row["経度"], row["緯度"]] の順にします（地図の x が経度、y が緯度）。',
    )
    check(
        firsts == lon and sorted(round(float(c[1]), 6) for c in coords) == lat,
        "座標の値が、表の緯度・経度と違います。",
        "表の「経度」「緯度」の列の値をそのまま入れます。",
    )
    props = [f.get("properties") or {} for f in features]
    for column in PROPERTIES:
        check(
            all(column in p for p in props),
            f'"properties" に「{column}」が入っていません。',
            f'"properties": {{"名称": row["名称"], ...}} のように、「{"」「".join(PROPERTIES)}」を入れます。',
        )
        got = sorted(str(p[column]) for p in props)
        want = sorted(str(int(v)) if column == "想定収容人数" else str(v) for v in hinanbasho[column])
        check(got == want, f"「{column}」の値が、表の値と違います。", "表の列の値をそのまま入れます。")
    path = Path(GEOJSON_FILE)
    check(path.exists(), f"ファイル {GEOJSON_FILE} がありません。", "json.dump で、この名前のファイルに保存します。")
    try:
        saved = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError):
        saved = None
    check(
        isinstance(saved, dict) and len(saved.get("features") or []) == len(features),
        f"{GEOJSON_FILE} が GeoJSON として読めないか、中身が geojson と違います（保存の途中で止まっていませんか）。",
        "json.dump で、ensure_ascii=False を付けて保存します。数が numpy の整数のままだと保存が止まるので、"
        "int(...) で Python の整数にします。",
    )


q2 = Question(
    title="問2",
    key="q2",
    variables=["geojson"],
    prepared=["hinanbasho"],
    steps=_q2_steps,
    hints=[
        "教材「4. GeoJSON の形」の「やってみよう」で、2か所の避難場所から GeoJSON を作った手順を、"
        "表のすべての行に広げます。",
        '表 hinanbasho を .iterrows() で1行ずつ取り出し、{"type": "Feature", "geometry": {"type": "Point", '
        '"coordinates": [経度, 緯度]}, "properties": {...}} を作ってリストに足し、最後に FeatureCollection で包みます。'
        "想定収容人数は int(...) にしてから入れます。",
    ],
)


def _closed(state, what: str) -> None:
    check(
        state is not None,
        f"{what}の要望が、自分のサンドボックスに見つかりません。",
        "上のセルを上から順に実行し直してください。続くときは講師に知らせてください。",
    )
    check(
        state["status"] == "closed",
        f"{what}の要望が、まだ完了になっていません（いまは「{state['status_label']}」）。",
        "答えのセルで close_request(...) を書いて実行します。",
    )


def _q3_steps(published, request_state):
    check(
        published is not None,
        "まだ GeoJSON を公開していません。",
        "問2 のあとの公開のセル（publish_file）を実行してから、答えのセルを実行します。",
    )
    state = request_state(MEETABLE)
    _closed(state, MEETABLE)
    check(
        state["resolution"] == "published",
        f"「公開済み」ではなく「{state['resolution_label']}」で完了しています。",
        "データを公開して応えた要望は「公開済み」で完了にし、公開したデータセットを結び付けます。"
        "完了した要望は開き直せないので、講師に知らせてください。",
    )
    linked = state.get("dataset") or {}
    check(
        linked.get("name") == published["name"],
        "要望に結び付いたデータセットが、公開した GeoJSON のデータセットではありません。",
        'close_request の dataset= に published["name"] を指定します。',
    )


q3 = Question(
    title="問3",
    key="q3",
    variables=["published"],
    prepared=["request_state"],
    steps=_q3_steps,
    where="要望を完了にする答えのセル（このチェックのすぐ上）",
    hints=[
        "教材「5. 要望を完了にする」で見た close_request の書き方を使います。"
        "公開して応えたので、対応は「公開済み」です。",
        'close_request に、要望 hinanbasho_request、対応 "published"、それに dataset= として公開したデータセットの名前'
        '（published の "name"）を渡します。',
    ],
)


def _q4_steps(kotae_meibo, request_state):
    check(
        isinstance(kotae_meibo, str) and len(kotae_meibo.strip()) >= 30,
        "要望者への説明（kotae_meibo）が短すぎます。",
        "なぜ公開できないか、代わりにできること（集計値なら検討できる、名簿の提供の窓口など）を30文字以上で書きます。",
    )
    check(
        "個人情報" in unicodedata.normalize("NFKC", kotae_meibo),
        "説明に、公開できない理由（個人情報であること）が書かれていません。",
        "「個人情報」という言葉を使って、理由を説明します。",
    )
    state = request_state(PERSONAL)
    check(
        state is None or not (state.get("resolution") in ("published", "partial") or state.get("dataset")),
        "避難行動要支援者名簿の要望に、データを公開して応えています。個人情報を含むデータは公開できません。",
        "公開したデータセットを削除（または非公開に）して、講師に知らせてください。",
    )
    _closed(state, PERSONAL)
    check(
        state["resolution"] == "rejected",
        f"「対応不可」ではなく「{state['resolution_label']}」で完了しています。",
        "完了した要望は開き直せないので、講師に知らせてください。",
    )
    check(
        state.get("reason") == "personal_data",
        f"対応不可の理由が「{state.get('reason_label') or 'なし'}」です。",
        "reason= には問1 の riyu（個人情報を含むため）を指定します。",
    )


q4 = Question(
    title="問4",
    key="q4",
    variables=["kotae_meibo"],
    prepared=["request_state"],
    steps=_q4_steps,
    hints=[
        "断るときも、要望者が次にどうすればよいかが分かる説明を書きます（教材「3. 応えられるかを判断する」の例）。",
        '説明を kotae_meibo に入れてから、close_request に要望 meibo_request と対応 "rejected" を渡し、'
        "reason= に問1 の riyu、note= に kotae_meibo を指定して完了にします。",
    ],
)
