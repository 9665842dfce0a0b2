"""What a person reads on the sign-in pages (Japanese)."""

from __future__ import annotations

from . import accounts

ASK = "講師に知らせてください。"
REFUSED = {
    accounts.NO_HUB_NAME: "研修環境 (JupyterHub) からアカウントの情報を受け取れませんでした。"
    "JupyterHub にサインインし直してから、もう一度お試しください。",
    accounts.UNKNOWN: "この研修環境のアカウントには、データカタログ (CKAN) の利用者がまだ用意されていません。"
    "JupyterHub で一度「サーバーを起動」してから、もう一度お試しください。続くときは" + ASK,
    accounts.DISABLED: "このアカウントは講師が利用を停止しています。データカタログ (CKAN) にはサインインできません。"
    "再開が必要なときは" + ASK,
    accounts.REMOVED: "このアカウントは研修環境から削除されています。データカタログ (CKAN) にはサインインできません。",
    accounts.SYSADMIN: "CKAN の管理者アカウントは、サインインの画面の「管理者のサインイン」から"
    "CKAN のパスワードでサインインしてください。",
}
# ckanext-oidc-pkce's own reasons (English, kept in the session) -> what we show
FLOW = {
    "The app state does not match": "サインインの手続きを確認できませんでした (古い画面や別のタブからの要求か、"
    "改ざんされた要求です)。もう一度「研修環境 (JupyterHub) のアカウントでサインイン」を押してください。",
    "Login process was not started properly": "サインインの手続きが始まっていないか、時間が経って切れました。"
    "もう一度「研修環境 (JupyterHub) のアカウントでサインイン」を押してください。",
}
FLOW_OTHER = "研修環境 (JupyterHub) でサインインを確かめられませんでした。もう一度お試しください。続くときは" + ASK
HUB_SIGNED_OUT = "研修環境 (JupyterHub) からサインアウトしたため、データカタログ (CKAN) からもサインアウトしました。"

RESET_TITLE = "パスワードを忘れたとき"
