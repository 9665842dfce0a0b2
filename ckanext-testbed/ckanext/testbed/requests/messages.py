"""Japanese words and messages of data requests, kept in one place for review."""

from __future__ import annotations

STATUS_LABELS = {"open": "受付中", "assigned": "対応中", "closed": "完了"}
RESOLUTION_LABELS = {"published": "公開済み", "partial": "一部対応", "rejected": "対応不可", "duplicate": "重複"}
# the fixed list of reasons for 対応不可 (a free-text note is required beside it)
REASON_LABELS = {
    "personal_data": "個人情報を含むため",
    "third_party": "第三者の権利・利益を害するおそれがあるため",
    "security": "安全や防犯に支障があるため",
    "not_held": "市が保有していないデータのため",
    "cost": "作成・加工の負担が大きすぎるため",
    "other": "その他",
}
NOTIFICATION_LABELS = {
    "created": "新しい要望「{title}」が届きました。",
    "assigned": "要望「{title}」の担当が決まりました。",
    "commented": "要望「{title}」に新しいコメントがあります。",
    "closed": "要望「{title}」が{resolution}として完了しました。",
}

REQUIRED = "{label}を入力してください。"
TOO_LONG = "{label}は {limit} 文字以内にしてください (今は {length} 文字です)。"
NOT_TEXT = "{label}は文字列で指定してください。"
CHOICE = "{label}「{value}」は選べません。次のどれかを指定してください: {choices}"
NOT_FOUND = "要望が見つかりません (ID: {id})。一覧から開き直してください。"
ORG_NOT_FOUND = "担当課 (組織)「{name}」が見つかりません。組織の URL 名か ID を指定してください。"
USER_NOT_FOUND = "利用者「{name}」が見つかりません。"
DATASET_NOT_FOUND = "データセット「{name}」が見つかりません。データセットの URL 名か ID を指定してください。"
DATASET_UNREADABLE = "データセット「{name}」を見る権限がないため、この要望に結び付けられません。"
DATASET_NOT_PUBLIC = "データセット「{name}」は公開されていません。公開してから完了にしてください。"
DATASET_REQUIRED = "「公開済み」で完了にするときは、公開したデータセットを指定してください。"
REASON_REQUIRED = "「対応不可」で完了にするときは、理由を一覧から選んでください。"
NOTE_REQUIRED = "「対応不可」で完了にするときは、理由の説明を入力してください。"
DUPLICATE_REQUIRED = "「重複」で完了にするときは、同じ内容の要望の ID を指定してください。"
DUPLICATE_SELF = "要望をそれ自身の重複にはできません。別の要望の ID を指定してください。"
ALREADY_CLOSED = "この要望はすでに完了しています。"
ASSIGN_NOTHING = "担当課 (organization) か担当者 (assignee) を指定してください。"
ASSIGNEE_NOT_STAFF = "「{name}」は担当課「{org}」の編集者・管理者でも調整役でもないため、担当者にできません。"
ASSIGNEE_NEEDS_ORG = "担当者を決める前に、担当課 (組織) を決めてください。"
PRACTICE_ORG = "研修用のサンドボックス組織には要望を出せません。市の担当課を選ぶか、空欄にして調整役に任せてください。"
PRACTICE_ROUTE_LABEL = "研修用: {title}"  # a sandbox in the coordinators' route form (a training copy)
DATASET_HIDDEN = "この要望に結び付いたデータセットは、あなたには公開されていないため表示できません。"

SIGN_IN = "要望を出すには、サインインしてください。"
NOT_VISIBLE = "この要望を見る権限がありません。"
NOT_INVOLVED = "この要望にコメントできるのは、要望を出した人、担当課の職員、調整役だけです。"
NOT_STAFF_ASSIGN = "この要望の担当を決められるのは、担当課の編集者・管理者と調整役だけです。"
NOT_STAFF_MOVE = "担当課を別の組織に変えられるのは、調整役だけです。"
NOT_STAFF_CLOSE = "この要望を完了にできるのは、担当課の編集者・管理者と調整役だけです。"
ONLY_SYSADMIN_DELETE = "要望を削除できるのは、サイト管理者だけです。"
ONLY_SYSADMIN = "調整役を任命・解除できるのは、サイト管理者だけです。"
ONLY_SYSADMIN_REQUESTER = (
    "ほかの人を要望者として (代わりに) 要望を出せるのは、サイト管理者だけです。"
    "要望者 (requester) を指定せずに出してください。"
)
ONLY_COORDINATORS = "調整役の一覧を見られるのは、サイト管理者と調整役だけです。"

# mail notifications (mail.py, mail_text.py); {actor} is a display name + さん, or a role (要望者, 担当課, 調整役)
MAIL_SUBJECTS = {
    "created": "新しい要望が届きました",
    "assigned": "要望の担当が決まりました",
    "commented": "要望にコメントがありました",
    "closed": "要望が{resolution}として完了しました",
}
MAIL_EVENTS = {
    "created": "{actor}がデータ公開の要望を出しました。",
    "assigned": "{actor}が要望の担当を決めました。",
    "commented": "{actor}が要望にコメントしました。",
    "closed": "{actor}が要望を完了にしました。",
}
MAIL_GREETING = "{name} 様"
MAIL_QUOTE_LABEL = "コメント:"
MAIL_LINK_LABEL = "要望のページ (返事やコメントはこちらから):"
MAIL_FOOTER = (
    "このメールは「{site}」から自動で送っています。メールでのお知らせを止めるときは、次のページで設定してください:"
)
MAIL_ACTOR_NAMED = "{name} さん"
MAIL_ACTOR_UNKNOWN = "サイト管理者"
MAIL_DETAIL_ORG = "担当課"
MAIL_DETAIL_ASSIGNEE = "担当者"
MAIL_DETAIL_RESOLUTION = "対応結果"
MAIL_DETAIL_REASON = "理由"
MAIL_DETAIL_NOTE = "説明"
MAIL_DETAIL_DATASET = "公開したデータ"
MAIL_DETAIL_UNASSIGNED = "未定 (調整役が振り分けます)"

# the mail settings page (/data-request/mail-settings)
MAIL_SETTINGS_SAVED_ON = "要望のお知らせをメールでも受け取ります。"
MAIL_SETTINGS_SAVED_OFF = "要望のお知らせをメールでは送りません (サイト内の通知は続きます)。"
MAIL_SETTINGS_SIGN_IN = "メールの設定を変えるには、サインインしてください。"
