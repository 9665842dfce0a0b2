"""Japanese words and messages of use cases (利活用事例), kept in one place for review."""

from __future__ import annotations

KIND_LABELS = {"app": "アプリ", "map": "地図", "report": "レポート", "analysis": "庁内分析", "other": "その他"}

DATASETS_REQUIRED = "使ったデータセットを 1 つ以上、URL 名で指定してください (例: hinanbasho)。"
TOO_MANY_DATASETS = "使ったデータセットは {limit} 件までにしてください (今は {count} 件です)。"
DATASET_NOT_FOUND = (
    "データセット「{name}」は見つからないか、あなたには公開されていません。"
    "公開中のデータセットの URL 名を指定してください。"
)
DATASET_NOT_PUBLIC = (
    "データセット「{name}」は公開されていません。利活用事例には公開中のデータセットだけを結び付けられます。"
)
BAD_URL = "リンクは http:// か https:// で始まる URL にしてください。"
LINK_OR_IMAGE = "リンク (URL) か画像のどちらかを指定してください。"
IMAGE_TYPE = "画像は PNG か JPEG のファイルにしてください (送られたファイル: {found})。"
IMAGE_TOO_LARGE = "画像は {limit} MB 以下にしてください。"
IMAGE_NO_STORAGE = "このサイトではファイルを保存できない設定のため、画像を登録できません。リンクを指定してください。"
NOT_FOUND = "利活用事例が見つかりません (ID: {id})。一覧から開き直してください。"
NOT_VISIBLE = "この利活用事例を見る権限がありません。"

SIGN_IN = "利活用事例を登録するには、サインインしてください。"
ONLY_OWNER = "この利活用事例を変更・削除できるのは、登録した人とサイト管理者だけです。"
