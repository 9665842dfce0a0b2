"""The strings JupyterLab's Japanese language pack lacks, by catalogue domain (applied by ``lab_language_ja.py``).

Found by listing the ``trans.__("…")`` strings of the built lab (``share/jupyter/lab/static/*.js`` and the lab
extensions' bundles, per the domain they ``load``) that the pack's catalogue of that domain lacks; only what a
trainee or instructor can see is here (menus, context menus, dialogs, hover texts, aria-labels), not the command
palette's argument descriptions nor the names of programming languages.
"""

from __future__ import annotations

# msgid (exactly as JupyterLab passes it to trans.__) -> Japanese. Found by listing the trans.__("…") strings of the
# built lab (share/jupyter/lab/static/*.js) that the pack's catalogue lacks; only what a trainee or instructor can
# see is here (menus, context menus, dialogs, hover texts, aria-labels), not the palette's argument descriptions.
TABLE: dict[str, str] = {
    "Cell %1/%2": "セル %1/%2",  # status bar: the active cell among the notebook's cells
    "Open full post": "お知らせを開く",  # news notification's link (our feed: the course's お知らせ page)
    # launcher tiles, 「新規」 menu and palette for a kernel's language ("Python File"): "%1" is the language
    "%1 File": "%1 ファイル",
    "New %1 File": "新規 %1 ファイル",
    "Create a new %1 File": "新しい %1 ファイルを作成",
    "Topbar toolbar": "トップバーのツールバー",  # aria-label of the bar beside the menus
    "Delete the cell": "セルを削除します",  # cell toolbar's 🗑 (hover text)
    "Go to cell…": "セルへ移動…",  # status bar's cell position (hover text)
    "Cells": "セル",
    "Duplicate %1": "%1 を複製",  # 「ファイル」 menu: "Duplicate Notebook"
    # the notebook's trust indicator (hover text); the pack writes the document type "Notebook" in Latin letters
    "Notebook not trusted: %1 of %2 code cells trusted.": "Notebook は未信頼です (コードセル %2 個中 %1 個が信頼済み)",
    "Notebook trusted: %1 of %2 code cells trusted.": "Notebook は信頼済みです (コードセル %2 個中 %1 個が信頼済み)",
    "Active cell trusted: %1 of %2 code cells trusted.": (
        "選択中のセルは信頼済みです (コードセル %2 個中 %1 個が信頼済み)"
    ),
    # the notebook: toolbar's overflow menu (aria-label), empty notebook, Markdown cell's placeholder, outputs
    "Responsive popup toolbar": "ツールバーの続き",
    "The notebook is empty. Click the + button on the toolbar to add a new cell.": (
        "ノートブックが空です。ツールバーの「+」ボタンでセルを追加してください。"
    ),
    "Type Markdown and LaTeX: $ α^2 $": "Markdown と LaTeX を入力: $ α^2 $",
    "Show more outputs": "出力の続きを表示",
    "Could not display output data": "出力を表示できませんでした",
    "Javascript Error: %1": "JavaScript のエラー: %1",
    "Executed %1/%2 cells": "%2 個中 %1 個のセルを実行しました",
    "Are you sure you want to delete this cell?": "このセルを削除しますか?",
    "Ignore this warning for future deletions.": "次からはこの確認を出さない",
    "Do not ask me again": "次からは確認しない",
    "Kernel '%1' for '%2' is still initializing. You can run code cells when the kernel has initialized.": (
        "「%2」のカーネル「%1」はまだ準備中です。準備ができるとコードセルを実行できます。"
    ),
    "The cell is read-only and cannot be merged.": "このセルは読み取り専用のため結合できません。",
    "The cell is read-only and cannot be split.": "このセルは読み取り専用のため分割できません。",
    "Searching outputs requires you to run all cells and render their outputs. Are you sure you want to search in "
    "the cell outputs?": (
        "出力を検索するには、すべてのセルを実行して出力を表示する必要があります。セルの出力も検索しますか?"
    ),
    "Notebook (no kernel)": "Notebook (カーネルなし)",
    # the notebook's context menu and 「編集」/「表示」 menus
    "Copy Selected Text": "選択したテキストをコピー",
    "Cut Selected Text": "選択したテキストを切り取り",
    "Paste Text": "テキストを貼り付け",
    "Paste Unavailable": "貼り付けできません",
    "Due to browser security restrictions, pasting from the context menu may not be supported.\n\nPlease use Ctrl + V "
    "(or ⌘ + V on macOS) instead.": (
        "ブラウザーのセキュリティ上の制限で、右クリックメニューからは貼り付けできないことがあります。\n\n"
        "代わりに Ctrl + V (macOS では ⌘ + V) を使ってください。"
    ),
    "Collapse Output": "出力を折りたたむ",
    "Expand Output": "出力を展開",
    "Toggle Scrolling for Outputs": "出力のスクロール表示を切り替え",
    "Output View": "出力ビュー",
    "Jump to cell": "セルへ移動",
    "Go to cell number between 1 and %1": "1 から %1 までのセル番号を入力してください",
    "Jump to current or last executed cell": "実行中または最後に実行したセルへ移動",
    "Select Last Modified Cell": "最後に変更したセルを選択",
    "Select Next Modified Cell": "次に変更したセルを選択",
    "Cell Tags": "セルのタグ",
    "Toggle Bold": "太字の切り替え",
    "Fold Current Region": "現在の範囲を折りたたむ",
    "Unfold Current Region": "現在の範囲を展開",
    "Fold All Regions": "すべての範囲を折りたたむ",
    "Unfold All Regions": "すべての範囲を展開",
    "Fold All Subregions": "内側の範囲をすべて折りたたむ",
    "Unfold All Subregions": "内側の範囲をすべて展開",
    "Trust Markdown Preview": "Markdown のプレビューを信頼",
    "Run Command?": "コマンドを実行しますか?",
    "Run Once": "一度だけ実行",
    "This document is not trusted. Running a command may execute arbitrary code.": (
        "この文書は信頼されていません。コマンドを実行すると任意のコードが実行されるおそれがあります。"
    ),
    "Only proceed if you trust the author of this content.": "作成者を信頼できるときだけ続けてください。",
    'Select "Trust" to trust this document, or "Run Once" to allow this command without trusting it.': (
        "この文書を信頼するなら「信頼する」、信頼せずにこのコマンドだけ許すなら「一度だけ実行」を選んでください。"
    ),
    # inline completion (「設定」 menu, hover texts)
    "Accept Inline Completion": "インライン補完を確定",
    "Invoke Inline Completer": "インライン補完を呼び出す",
    "Next Inline Completion": "次のインライン補完",
    "Previous Inline Completion": "前のインライン補完",
    # the file browser
    "Open File": "ファイルを開く",
    "Open in Terminal": "ターミナルで開く",
    "Go Up": "上のフォルダーへ",
    "Type a path…": "パスを入力…",
    "Edit File Browser Path": "ファイルブラウザーのパスを編集",
    "Created": "作成日時",
    "Date Created": "作成日時",
    "Show Date Created Column": "作成日時の列を表示",
    "Show Header": "見出しを表示",
    "File uploads are disabled": "ファイルのアップロードは無効です",
    "Upload complete (%1 files)": "アップロードが完了しました (%1 ファイル)",
    "Uploaded %1%2": "%1%2 をアップロードしました",
    '"%1" is not a valid name for a file. Names must have nonzero length, and cannot include "/", "\\", or ":"': (
        "「%1」はファイル名に使えません。名前は空にできず、「/」「\\」「:」を含められません"
    ),
    "Open All": "すべて開く",
    "Failed to open new terminal": "新しいターミナルを開けませんでした",
    "Press Escape twice to leave terminal focus.": "Esc キーを 2 回押すとターミナルから抜けます。",
    "Press Escape twice to leave terminal focus. Press Enter to return focus to the terminal input.": (
        "Esc キーを 2 回押すとターミナルから抜けます。Enter キーでターミナルの入力に戻ります。"
    ),
    # tabs, panels and the 「表示」/「設定」 menus
    "Split Tab": "タブを分割",
    "Split the current tab": "このタブを分割",
    "Move to %1": "%1 へ移動",
    "Move back to %1": "%1 へ戻す",
    "Move back": "元に戻す",
    "Move Widget": "パネルを移動",
    "Move to Main Area": "メインエリアへ移動",
    "Move to Left Sidebar": "左のサイドバーへ移動",
    "Move to Right Sidebar": "右のサイドバーへ移動",
    "Move to Down Area": "下のエリアへ移動",
    "Show Down Area": "下のエリアを表示",
    "Zoom In Active Widget": "選択中のパネルを拡大",
    "Zoom Out Active Widget": "選択中のパネルを縮小",
    "Reset Widget Zoom": "パネルの拡大率を元に戻す",
    "Change Font Size": "文字の大きさを変更",
    "Set Activity Bar Position": "アクティビティバーの位置を設定",
    "Activity Bar Position: %1": "アクティビティバーの位置: %1",
    "Side": "横",
    "Top": "上",
    "Bottom": "下",
    "Left": "左",
    "Right": "右",
    "Up": "上",
    "Down": "下",
    "Audio": "音声",
    "Video": "動画",
    "Audio Viewer": "音声ビューアー",
    "Video Viewer": "動画ビューアー",
    "Running Sessions": "実行中のセッション",
    "Install more languages…": "ほかの言語を追加…",
    "Plugin Manager": "プラグインの管理",
    "Advanced Plugin Manager": "プラグインの管理 (詳細)",
    "Enable Context Menu": "右クリックメニューを有効にする",
    "Context menu customization has changed. You will need to reload JupyterLab to see the changes.": (
        "右クリックメニューの設定が変わりました。反映するには JupyterLab を再読み込みしてください。"
    ),
    "Export as HTML": "HTML として書き出す",
    "Accept": "確定",
    "Apply": "適用",
    "Description": "説明",
    "Enabled": "有効",
    "History": "履歴",
    # the console (a notebook's 「新しいコンソール」)
    "↑↓ for history. Search history with c-↑/c-↓": "↑↓ で履歴。Ctrl+↑ / Ctrl+↓ で履歴を検索",
    "Change Console Prompt Position": "コンソールの入力欄の位置を変更",
    "Prompt to top": "入力欄を上に",
    "Prompt to bottom": "入力欄を下に",
    "Prompt to left": "入力欄を左に",
    "Prompt to right": "入力欄を右に",
    "Access Next Kernel History Entry": "カーネルの履歴の次へ",
    "Access Previous Kernel History Entry": "カーネルの履歴の前へ",
    # when the trainee's server stops or the network drops
    "Your server at %1 is not running.\nWould you like to restart it?": (
        "%1 のサーバーは止まっています。\n起動し直しますか?"
    ),
    "A connection to the Jupyter server could not be established.\nJupyterLab will continue trying to reconnect.\n"
    "Check your network connection or Jupyter server configuration.\n": (
        "Jupyter サーバーに接続できません。\nJupyterLab は接続を試み続けます。\n"
        "ネットワークの接続を確かめるか、講師に知らせてください。\n"
    ),
    "If checked, you will not see a dialog informing you about an issue with server connection in this session.": (
        "チェックすると、このセッションではサーバー接続の問題を知らせるダイアログを表示しません。"
    ),
    "Do not show this message again in this session.": "このセッションではこのメッセージを表示しない",
    "Are you sure you want to exit JupyterLab?\n\nAny unsaved changes will be lost.": (
        "JupyterLab を終了しますか?\n\n保存していない変更は失われます。"
    ),
    # ファイル → 名前を付けて保存・書き出し: the A4 report exporter (hub_config/report_export.py); JupyterLab labels an
    # exporter it does not know by its name with the first letter capitalised, through trans.__
    "Testbed_a4": "A4 報告書 (印刷用)",
}
# the pack's own translation replaced where it reads wrongly (written over the pack's, unlike TABLE, which only fills
# gaps): a file browser item's hover text, in the words of the file browser's own columns (作成日時, 最終更新)
PACK_FIXES: dict[str, str] = {
    "\nCreated: %1": "\n作成日時: %1",  # pack: 「作成」
    "\nModified: %1": "\n最終更新: %1",  # pack: 「修正」, which reads as a correction
}
# other domains of the pack (the lab extensions that translate through their own catalogue)
WIDGETS: dict[str, str] = {
    "Save Widget State Automatically": "ウィジェットの状態を自動で保存",  # ipywidgets' 「設定」 menu entry
}
NOTEBOOK: dict[str, str] = {  # Jupyter Notebook's lab extension (its "Open in…" entries and help)
    "Open in %1": "%1 で開く",
    "Open in...": "別の画面で開く…",
    "Launch Jupyter Notebook File Browser": "Jupyter Notebook のファイルブラウザーを開く",
    "Collapse side panel": "サイドパネルを閉じる",
    "Collapse %1 side panel": "%1 のサイドパネルを閉じる",
}
