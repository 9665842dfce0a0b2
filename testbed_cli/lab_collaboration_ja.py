"""Japanese for jupyter-collaboration's JupyterLab side (the team workspaces' collaborators panel, sharing dialog and
document messages): jupyterlab-language-pack-ja-JP 4.5.post3 ships an empty ``jupyter_collaboration`` catalogue, so
its side panel read "USER INFO" / "ONLINE COLLABORATORS". Written into that catalogue by ``lab_language_ja.ensure``
(the same gap-filling as JupyterLab's own strings: pristine copies kept, idempotent by digest) from ``./testbed up``
(``testbed_cli/hub.py``)."""

from __future__ import annotations

from pathlib import Path

from testbed_cli import lab_language_ja

DOMAIN = "jupyter_collaboration"

TABLE = {
    # the side panel (left bar, people icon) and the user menu
    "Collaboration": "共同編集",
    "User info": "自分",
    "User information": "自分の情報",
    "User Details": "自分の情報",
    "Online Collaborators": "いま開いている人",
    "Failed to update user data": "利用者の情報を更新できませんでした",
    "Server": "サーバー",
    # the sharing dialog (a team workspace is shared by the instructor's command, not from here)
    "Generate a Shared Link": "共有リンクを作る",
    "Share Jupyter Server Link": "このサーバーへのリンクを共有",
    "Copy Link": "リンクをコピー",
    "Copy the link to the Jupyter Server": "このサーバーへのリンクをコピーします",
    "Include token in URL": "リンクにトークンを含める",
    "Close": "閉じる",
    "Close the dialog": "ダイアログを閉じる",
    "Actions": "操作",
    "Revoke": "取り消す",
    "Shared since": "共有した日時",
    "Shared with": "共有先",
    "Security warning!": "セキュリティ上の注意",
    "Please be careful who you share it with.": "共有する相手に気をつけてください。",
    "Only authenticated users will be able to use this link.": "サインインした人だけがこのリンクを使えます。",
    "Only users with `access:servers` permissions for this server will be able to use this link.": (
        "このサーバーを開く権限 (access:servers) がある人だけが、このリンクを使えます。"
    ),
    "Anyone with this link has full access to your notebook server, including all your files!": (
        "このリンクを知っている人は、すべてのファイルを含めて、このサーバーを自由に操作できます。"
    ),
    "They will be able to access this server AS YOU.": "その人は、あなたとしてこのサーバーを操作できます。",
    "Currently, there is no way to revoke access other than shutting down your server.": (
        "いまのところ、サーバーを止める以外に共有を取り消す方法はありません。"
    ),
    "To revoke access, go to File -> Hub Control Panel, and restart your server.": (
        "共有を取り消すには、ファイル → Hub Control Panel からサーバーを再起動してください。"
    ),
    "If your Hub administrator allows it, you can create another server dedicated to sharing a specific project.": (
        "ハブの管理者が許可していれば、共有したいプロジェクト専用のサーバーを別に作れます。"
    ),
    "Type to search for a user or a group to share your server with...": (
        "共有する相手のユーザー名またはグループ名を入力して検索..."
    ),
    "Warning: Anyone you share this server with will have access to all your files, not just the currently open file.": (  # noqa: E501
        "注意: 共有した相手は、いま開いているファイルだけでなく、すべてのファイルを操作できます。"
    ),
    "Your server is not shared to anybody yet. You can search for users and groups above.": (
        "このサーバーはまだだれとも共有していません。上の欄でユーザーやグループを検索できます。"
    ),
}


def ensure(hub_venv: Path, log=print) -> bool:
    """The table into the pack's ``jupyter_collaboration`` catalogues; True when something was written."""
    return lab_language_ja.ensure(hub_venv, TABLE, log, DOMAIN)
