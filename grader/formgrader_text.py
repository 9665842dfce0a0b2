"""The formgrader and the feedback page in Japanese: string tables applied to nbgrader's own sources.

nbgrader 0.9.6 has no translation hooks. Its formgrader pages are Jinja templates (``*.tpl``), its
grading page and the trainee's feedback are nbconvert templates (``formgrade/``, ``feedback/``), and
its Backbone views build visible text in JavaScript. Each table below lists, per upstream file, exact
snippets and their Japanese replacement; every snippet must occur in that file (``translate`` raises
otherwise), and ``UPSTREAM`` pins the sha256 of every file translated, so an nbgrader upgrade that
changes one fails ``tests/unit/test_formgrader_japanese.py`` loudly instead of reverting to English.

Used by ``grader.formgrader_ja`` (the formgrader service: ``*.tpl`` and JavaScript, translated when
the service starts) and by ``python -m grader.formgrader_text --write``, which writes the nbconvert
templates (``grader/templates/formgrade``, ``grader/templates/feedback``; nbconvert reads them from
disk, ``grader/nbgrader_settings.py`` points HTMLExporter at them). Pure: no nbgrader import.
"""

# ruff: noqa: E501 (string tables: one snippet per line reads better than split literals)
from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import sys
from pathlib import Path

TEMPLATE_DIR = Path(__file__).resolve().parent / "templates"
# nbconvert templates written from the tables (relative to nbgrader's formgrader/templates)
NBCONVERT_TEMPLATES = ["formgrade/index.html.j2", "formgrade/formgrade_macros.html.j2", "feedback/index.html.j2"]
NBCONVERT_CONF = ["formgrade/conf.json", "feedback/conf.json"]

_LOADING = [("Loading, please wait...", "読み込み中です。しばらくお待ちください…")]
_NAV = [
    (">Manage Assignments</a>", ">課題の管理</a>"),
    (">Manual Grading</a>", ">手採点</a>"),
    (">Manage Students</a>", ">研修生の管理</a>"),
]
_SCORES = [
    ("<th>Assignment ID</th>", "<th>課題 ID</th>"),
    ("<th>Notebook ID</th>", "<th>ノートブック ID</th>"),
    (">Overall Score</th>", ">総得点</th>"),
    (">Code Score</th>", ">コードの得点</th>"),
    (">Written Score</th>", ">記述の得点</th>"),
    (">Task Score</th>", ">タスクの得点</th>"),
]

# nbgrader's formgrader/templates/<name>: [(English snippet, Japanese)]
TEMPLATES: dict[str, list[tuple[str, str]]] = {
    "base.tpl": [
        (
            "<!doctype html>\n<head>\n  <title>nbgrader formgrade</title>",
            '<!doctype html>\n<html lang="ja">\n<head>\n  <title>採点画面 (nbgrader)</title>',
        ),
        ("<h1>nbgrader</h1>", '<h1 style="font-size: 28px">採点画面</h1>'),
        *_NAV[:1],
        (">Gradebook</a>", ">手採点</a>"),
        *_NAV[2:],
    ],
    "base_403.tpl": [
        ("Not Authorized", "権限がありません"),
        ("Sorry, you are not authorized to access the formgrader.", "この採点画面を開く権限がありません。"),
    ],
    "base_500.tpl": [
        ("\nError\n", "\nエラー\n"),
        (
            "Sorry, the formgrader encountered an error. Please contact the administrator of\nthe formgrader for further assistance.",
            "採点画面でエラーが起きました。運用担当者に連絡してください。",
        ),
    ],
    "formgrade_404.tpl": [
        ("<html>", '<html lang="ja">'),
        (
            "Submission {{ resources.index + 1 }} / {{ resources.total }}",
            "提出 {{ resources.index + 1 }} / {{ resources.total }}",
        ),
        ("Error: Submission notebook file not found:", "エラー: 提出されたノートブックのファイルが見つかりません:"),
    ],
    "gradebook_base.tpl": [("\nManual Grading\n", "\n手採点\n"), *_NAV],
    "gradebook_assignments.tpl": [
        ('<li class="active">Manual Grading</li>', '<li class="active">手採点</li>'),
        ("<th>Assignment ID</th>", "<th>課題 ID</th>"),
        (">Due Date</th>", ">締切 (日本時間)</th>"),
        (">Submissions</th>", ">提出数</th>"),
        (">Score</th>", ">平均点</th>"),
        *_LOADING,
    ],
    "gradebook_notebooks.tpl": [
        (">Manual Grading</a>", ">手採点</a>"),
        ("<th>Notebook ID</th>", "<th>ノートブック ID</th>"),
        (">Avg. Score</th>", ">平均点</th>"),
        (">Avg. Code Score</th>", ">コードの平均点</th>"),
        (">Avg. Written Score</th>", ">記述の平均点</th>"),
        (">Avg. Task Score</th>", ">タスクの平均点</th>"),
        (">Needs Manual Grade?</th>", ">手採点が必要</th>"),
        *_LOADING,
    ],
    "gradebook_notebook_submissions.tpl": [
        (">Manual Grading</a>", ">手採点</a>"),
        (">Show All Names</button>", ">全員の氏名を表示</button>"),
        ("<th>Submission ID</th>", "<th>提出</th>"),
        *_SCORES[2:],
        (">Needs Manual Grade?</th>", ">手採点が必要</th>"),
        (">Tests Failed?</th>", ">テスト不合格</th>"),
        (">Flagged?</th>", ">要確認の印</th>"),
        *_LOADING,
    ],
    "manage_students_base.tpl": [("\nManage Students\n", "\n研修生の管理\n"), *_NAV],
    "manage_students.tpl": [
        ('<li class="active">Students</li>', '<li class="active">研修生</li>'),
        ("<th>Name</th>", "<th>氏名</th>"),
        (">Student ID</th>", ">ユーザー名</th>"),
        (">Email</th>", ">メールアドレス</th>"),
        (">Overall Score</th>", ">総得点</th>"),
        (">Edit Student</th>", ">編集</th>"),
        ("Add new student...", "研修生を追加…"),
        *_LOADING,
    ],
    "manage_students_assignments.tpl": [
        (">Students</a>", ">研修生</a>"),
        *_SCORES[:1],
        *_SCORES[2:],
        (">Needs Manual Grade?</th>", ">手採点が必要</th>"),
        *_LOADING,
    ],
    "manage_students_notebook_submissions.tpl": [
        (">Students</a>", ">研修生</a>"),
        *_SCORES[1:],
        (">Needs manual grade?</th>", ">手採点が必要</th>"),
        (">Tests failed?</th>", ">テスト不合格</th>"),
        (">Flagged?</th>", ">要確認の印</th>"),
        *_LOADING,
    ],
    "manage_assignments.tpl": [
        ("\nManage Assignments\n", "\n課題の管理\n"),
        *_NAV,
        ('<li class="active">Assignments</li>', '<li class="active">課題</li>'),
        ("Instructions (click to expand)", "使い方 (クリックで開きます)"),
        (
            '<li>To <b>create</b> an assignment, click the "Add new assignment..." button below.</li>',
            "<li>課題を<b>作る</b>には、下の「課題を追加…」をクリックします。</li>",
        ),
        (
            "<li>To <b>edit assignment files</b>, click on the name of an assignment.</li>",
            "<li>課題の<b>ファイルを編集</b>するには、課題名をクリックします。</li>",
        ),
        (
            "<li>To <b>edit the assignment metadata</b>, click on the edit button.</li>",
            "<li>課題の<b>締切などを編集</b>するには、編集ボタンをクリックします。</li>",
        ),
        (
            "<li>To <b>generate</b> the student version of an assignment, click on the generate button.</li>",
            "<li>研修生用の版を<b>作成</b>するには、作成ボタンをクリックします。</li>",
        ),
        (
            "<li>To <b>preview</b> the student version of an assignment, click on the preview button.</li>",
            "<li>研修生用の版を<b>確認</b>するには、確認ボタンをクリックします。</li>",
        ),
        (
            """<li><i>(JupyterHub only)</i> To <b>release</b> the assignment to students, click the release button.
          You can "unrelease" an assignment by clicking again, though note some students may have
          already accessed the assignment. <b>Note</b> that for the release button to become
          available, the <code>course_id</code> option must be set in <code>nbgrader_config.py</code>.
          For details, see <a href="http://nbgrader.readthedocs.io/en/stable/configuration/config_options.html">the documentation</a>.</li>""",
            "<li>課題を研修生に<b>配布</b>するには、配布ボタンをクリックします。もう一度クリックすると配布を取り消せますが、"
            "すでに受け取った研修生がいるかもしれません。<code>./testbed course release 課題名</code> でも配布できます。</li>",
        ),
        (
            "<li><i>(JupyterHub only)</i> To <b>collect</b> assignments, click the collect button.</li>",
            "<li>提出を<b>回収</b>するには、回収ボタンをクリックします。</li>",
        ),
        (
            """<li>To <b>autograde</b> submissions, click on the number of collected submissions. You must run
          the autograder on the submissions before you can manually grade them.</li>""",
            "<li>提出を<b>自動採点</b>するには、提出数をクリックします。手採点の前に自動採点が必要です"
            " (<code>./testbed grade 課題名</code> が回収・自動採点・フィードバック返却をまとめて行います)。</li>",
        ),
        ("Current configuration (click to expand)", "現在の設定 (クリックで開きます)"),
        (
            """Windows operating system detected. Please note that the "release" and "collect"
functionality will not be available.""",
            "Windows では配布と回収は使えません。",
        ),
        (
            """The exchange directory at <code>{{ exchange }}</code> does not exist and could
not be created. The "release" and "collect" functionality will not be available.
Please see the documentation on
<a href="http://nbgrader.readthedocs.io/en/stable/user_guide/managing_assignment_files.html#setting-up-the-exchange">Setting Up The Exchange</a>
for instructions.""",
            "課題の受け渡し用フォルダー <code>{{ exchange }}</code> がなく、作れませんでした。配布と回収は使えません。"
            "<code>./testbed up</code> をやり直してください。",
        ),
        (
            """The course id has not been set in <code>nbgrader_config.py</code>. The "release"
and "collect" functionality will not be available. Please see the documentation on
<a href="http://nbgrader.readthedocs.io/en/stable/user_guide/managing_assignment_files.html#setting-up-the-exchange">Setting Up The Exchange</a>
for instructions.""",
            "コース ID が設定されていないため、配布と回収は使えません。<code>./testbed up</code> をやり直してください。",
        ),
        ("<th>Name</th>", "<th>課題名</th>"),
        (">Due Date</th>", ">締切 (日本時間)</th>"),
        (">Status</th>", ">状態</th>"),
        (">Edit</th>", ">編集</th>"),
        (">Generate</th>", ">作成</th>"),
        (">Preview</th>", ">確認</th>"),
        (">Release</th>", ">配布</th>"),
        (">Collect</th>", ">回収</th>"),
        ("># Submissions</th>", ">提出数</th>"),
        (">Generate Feedback</th>", ">フィードバック作成</th>"),
        (">Release Feedback</th>", ">フィードバック返却</th>"),
        ("Add new assignment...", "課題を追加…"),
        *_LOADING,
    ],
    "manage_submissions.tpl": [
        ("\nManage Submissions\n", "\n提出の管理\n"),
        *_NAV,
        (">Assignments</a>", ">課題</a>"),
        ("Instructions (click to expand)", "使い方 (クリックで開きます)"),
        (
            """<b>Note:</b> Here you can autograde individual students' submissions by
          clicking on the autograde icons below. If you want to autograde
          all submissions at once, you will need to do this via the
          <a target="_blank" href="{{ base_url }}/terminals/1">command line</a>:""",
            "下の自動採点アイコンをクリックすると、研修生一人ずつの提出を自動採点します。"
            "全員の提出をまとめて採点するには、サーバーで次のコマンドを実行します:",
        ),
        (
            """cd "{{ course_dir }}"
nbgrader autograde "{{ assignment_id }}\"""",
            """./testbed grade "{{ assignment_id }}\"""",
        ),
        ("<th>Student Name</th>", "<th>氏名</th>"),
        (">Student ID</th>", ">ユーザー名</th>"),
        (">Timestamp</th>", ">提出日時 (日本時間)</th>"),
        (">Status</th>", ">状態</th>"),
        (">Score</th>", ">得点</th>"),
        (">Autograde</th>", ">自動採点</th>"),
        (">Generate Feedback</th>", ">フィードバック作成</th>"),
        (">Release Feedback</th>", ">フィードバック返却</th>"),
        *_LOADING,
    ],
    # nbconvert templates (written to grader/templates by --write)
    "formgrade/formgrade_macros.html.j2": [
        ('title="{{ resources.index }} remaining"', 'title="前に {{ resources.index }} 件"'),
        ("&larr; Prev", "&larr; 前へ"),
        (">Manual Grading</a>", ">手採点</a>"),
        ('title="Open live notebook"', 'title="ノートブックを開く"'),
        ("Submission #{{ resources.index + 1 }}", "提出 {{ resources.index + 1 }} 件目"),
        (
            "{{ resources.last_name }}, {{ resources.first_name }}",
            "{{ resources.last_name }} {{ resources.first_name }}",
        ),
        (
            'title="{{ resources.total - (resources.index + 1) }} remaining"',
            'title="あと {{ resources.total - (resources.index + 1) }} 件"',
        ),
        ("Next &rarr;", "次へ &rarr;"),
        ('"Show student name"', '"氏名を表示"'),
        ('"Hide student name"', '"氏名を隠す"'),
    ],
    "formgrade/index.html.j2": [
        ("<html>", '<html lang="ja">'),
        # offline classrooms: nbconvert's MathJax comes from a CDN, so it is not loaded at all (the course has no
        # formulas); formgrade.js registers a MathJax start-up hook before it sets up the keyboard shortcuts and their
        # help, so a stand-in that does nothing takes its place
        (
            "{{ mathjax() }}\n",
            "<script>\n"
            "window.MathJax = {Hub: {Startup: {signal: {Interest: function () {}}}, Queue: function () {}}};\n"
            "</script>\n",
        ),
        (
            "Submission {{ resources.index + 1 }} / {{ resources.total }}",
            "提出 {{ resources.index + 1 }} / {{ resources.total }}",
        ),
        (">Resolve</button>", ' title="手採点済みにする">採点済みにする</button>'),
        (">Full credit</button>", ">満点</button>"),
        (">No credit</button>", ">0 点</button>"),
        ("(extra credit)", "(加点)"),
        ("Student's task", "研修生の課題"),
        ("Student's answer", "研修生の解答"),
    ],
    "feedback/index.html.j2": [
        ("<html>", '<html lang="ja">'),
        # read by the lab's feedback notice (testbed_cli/lab_feedback_notice.py): a page worth 0 points (a lesson of
        # the assignment) is not opened in front of the trainee
        (
            '<meta charset="utf-8" />\n',
            '<meta charset="utf-8" />\n'
            '<meta name="testbed-max-score" content="{{ resources.nbgrader.max_score | float }}" />\n',
        ),
        # offline classrooms: nbconvert's MathJax comes from a CDN; the course has no formulas
        ("<!-- Loading mathjax macro -->\n{{ mathjax() }}\n", ""),
        ("(Score: {{ resources.nbgrader.score", "(得点: {{ resources.nbgrader.score"),
        (">Test cell</a> (Score:", ">テスト</a> (得点:"),
        (">Coding free-response</a> (Score:", ">コードの解答</a> (得点:"),
        (">Written response</a> (Score:", ">記述の解答</a> (得点:"),
        (">Task</a> (Score:", ">タスク</a> (得点:"),
        (">Comment</a>", ">講師のコメント</a>"),
        ("Late submission penalty (Score:", "締切後の提出による減点 (得点:"),
        ("      Score: {{ cell.metadata.nbgrader.score", "      得点: {{ cell.metadata.nbgrader.score"),
        ("(Top)</a>", "(ページの先頭へ)</a>"),
        ("Student's answer", "あなたの解答"),
        ("Student's task", "あなたの課題"),
        ("Grade cell: <code>", "テスト: <code>"),
        ("Task: <code>", "タスク: <code>"),
        ("<b>Comments:</b>", "<b>講師のコメント:</b>"),
    ],
}

_WAIT = [('.text("Please wait...")', '.text("お待ちください…")')]
_OK = [('"Success",', '"完了",'), ('"Error",', '"エラー",')]
_SAVE = [('.text("Save")', '.text("保存")'), ('.text("Cancel")', '.text("キャンセル")')]


# nbgrader's formgrader/static/js/<name>: [(English snippet, Japanese)]
SCRIPTS: dict[str, list[tuple[str, str]]] = {
    "utils.js": [
        ('.text("OK")', '.text("閉じる")'),
        ('.text("Log Output")', '.text("ログ")'),
        ('.text("Traceback")', '.text("エラーの詳細")'),
        (
            "        saveState: true,\n",
            "        saveState: true,\n"
            '        language: {search: "絞り込み:", emptyTable: "まだありません", zeroRecords: "一致するものはありません"},\n',
        ),
    ],
    "formgrade_keyboardmanager.js": [
        ('.text("Keyboard shortcuts")', '.text("キーボードショートカット")'),
        ('.text("Close")', '.text("閉じる")'),
    ],
    "formgrade_models.js": [
        (
            '"Type any comments here (supports Markdown and MathJax)"',
            '"研修生へのコメントを入力 (Markdown と数式が使えます)"',
        ),
    ],
    "formgrade.js": [
        ('"Move to the next score or comment input"', '"次の得点・コメント欄へ移動"'),
        ('"Move to the previous score or comment input"', '"前の得点・コメント欄へ移動"'),
        ('"Defocus and save the current score or comment input"', '"いまの得点・コメント欄を保存して離れる"'),
        ('"Refocus the most recent score or comment input"', '"直前の得点・コメント欄に戻る"'),
        (
            '"Move to the same score or comment input of the next submission"',
            '"次の提出の同じ欄へ移動"',
        ),
        (
            '"Move to the same score or comment input of the next submission with failed tests"',
            '"テスト不合格がある次の提出の同じ欄へ移動"',
        ),
        (
            '"Move to the same score or comment input of the previous submission"',
            '"前の提出の同じ欄へ移動"',
        ),
        (
            '"Move to the same score or comment input of the previous submission with failed tests"',
            '"テスト不合格がある前の提出の同じ欄へ移動"',
        ),
        ('"Flag the submission"', '"この提出に要確認の印を付ける・外す"'),
        ('elem.text("Submission flagged")', 'elem.text("要確認の印を付けました")'),
        ('elem.text("Submission unflagged")', 'elem.text("要確認の印を外しました")'),
    ],
    "gradebook_assignments.js": [('duedate = "None";', 'duedate = "なし";')],
    "manage_students_notebook_submissions.js": [('name + " (file missing)"', 'name + " (ファイルがありません)"')],
    "gradebook_notebook_submissions.js": [
        ('name = last_name + ", " + first_name', 'name = last_name + " " + first_name'),
        (
            '.text("Submission #" + (this.model.get("index") + 1))',
            '.text("提出 " + (this.model.get("index") + 1) + " 件目")',
        ),
        ('{title: "Show student name"}', '{title: "氏名を表示"}'),
        ('{title: "Hide student name"}', '{title: "氏名を隠す"}'),
        ('"Show All Names"', '"全員の氏名を表示"'),
        ('"Hide All Names"', '"全員の氏名を隠す"'),
    ],
    "manage_students.js": [
        *_SAVE,
        ('"Editing " + this.model.get("id")', '"研修生の編集: " + this.model.get("id")'),
        ('last_name = "None";', 'last_name = "";'),
        ('first_name = "None";', 'first_name = "";'),
        (
            'var name = last_name + ", " + first_name;',
            'var name = (last_name + " " + first_name).trim() || "(氏名なし)";',
        ),
        ('email = "None";', 'email = "";'),
        ('.text("Saving...")', '.text("保存中…")'),
        ('"Add New Student"', '"研修生を追加"'),
        ('.text("Student ID")', '.text("ユーザー名")'),
        ('.text("First name (optional)")', '.text("名 (任意)")'),
        ('.text("Last name (optional)")', '.text("姓 (任意)")'),
        ('.text("Email (optional)")', '.text("メールアドレス (任意)")'),
    ],
    "manage_assignments.js": [
        *_SAVE,
        *_WAIT,
        *_OK,
        ('"Editing " + this.model.get("name")', '"課題の編集: " + this.model.get("name")'),
        ('duedate = "None";', 'duedate = "なし";'),
        ('.text("Name")', '.text("課題名")'),
        ('.text("Due date (optional)")', '.text("締切 (任意)")'),
        ('.text("Timezone as UTC offset (optional)")', '.text("タイムゾーン (UTC との差、任意。日本時間は +0900)")'),
        ('.text("draft")', '.text("未配布")'),
        ('.text("released")', '.text("配布済み")'),
        ('.text("Saving...")', '.text("保存中…")'),
        ('"Add New Assignment"', '"課題を追加"'),
        ("\"Assignment names may not include the '+' character.\"", '"課題名に「+」は使えません。"'),
        ('"Successfully created the student version of \'"', '"研修生用の版を作成しました: 「"'),
        ('"There was an error creating the student version of \'"', '"研修生用の版を作成できませんでした: 「"'),
        ('"Successfully unreleased \'"', '"配布を取り消しました: 「"'),
        ('"There was an error unreleasing \'"', '"配布を取り消せませんでした: 「"'),
        ('"Successfully released \'"', '"配布しました: 「"'),
        ('"There was an error releasing \'"', '"配布できませんでした: 「"'),
        ('"Successfully collected submissions of \'"', '"提出を回収しました: 「"'),
        ('"There was an error collecting \'"', '"回収できませんでした: 「"'),
        ('"There was an error collecting submissions of \'"', '"提出を回収できませんでした: 「"'),
        ('"Successfully generated feedback of \'"', '"フィードバックを作成しました: 「"'),
        ('"There was an error generating feedback of \'"', '"フィードバックを作成できませんでした: 「"'),
        ('"Successfully released feedback of \'"', '"フィードバックを返却しました: 「"'),
        ('"There was an error releasing feedback of \'"', '"フィードバックを返却できませんでした: 「"'),
        ('+ "\':",', '+ "」",'),
        ('+ "\'.",', '+ "」",'),
        ('+ "\'.");', '+ "」");'),
    ],
    "manage_submissions.js": [
        *_WAIT,
        *_OK,
        ('last_name = "None";', 'last_name = "";'),
        ('first_name = "None";', 'first_name = "";'),
        (
            'var name = last_name + ", " + first_name;',
            'var name = (last_name + " " + first_name).trim() || "(氏名なし)";',
        ),
        ('timestamp = "None";', 'timestamp = "なし";'),
        ('.text("needs autograding")', '.text("自動採点待ち")'),
        ('.text("needs manual grading")', '.text("手採点待ち")'),
        ('.text("graded")', '.text("採点済み")'),
        (
            '"Successfully autograded \'" + assignment + "\' for student \'" + student + "\'."',
            '"「" + assignment + "」の " + student + " さんの提出を自動採点しました。"',
        ),
        (
            '"There was an error autograding \'" + assignment + "\' for student \'" + student + "\':"',
            '"「" + assignment + "」の " + student + " さんの提出を自動採点できませんでした:"',
        ),
        (
            '"There was an error autograding \'" + assignment + "\' for student \'" + student + "\'."',
            '"「" + assignment + "」の " + student + " さんの提出を自動採点できませんでした。"',
        ),
        (
            '"Successfully generated feedback for \'" + assignment + "\' for student \'" + student + "\'."',
            '"「" + assignment + "」の " + student + " さんのフィードバックを作成しました。"',
        ),
        (
            '"There was an error generating feedback for \'" + assignment + "\' for student \'" + student + "\':"',
            '"「" + assignment + "」の " + student + " さんのフィードバックを作成できませんでした:"',
        ),
        (
            '"There was an error generating feedback for \'" + assignment + "\' for student \'" + student + "\'."',
            '"「" + assignment + "」の " + student + " さんのフィードバックを作成できませんでした。"',
        ),
        (
            '"Successfully released feedback for \'" + assignment + "\' for student \'" + student + "\'."',
            '"「" + assignment + "」の " + student + " さんのフィードバックを返却しました。"',
        ),
        (
            '"There was an error releasing feedback for \'" + assignment + "\' for student \'" + student + "\':"',
            '"「" + assignment + "」の " + student + " さんのフィードバックを返却できませんでした:"',
        ),
        (
            '"There was an error releasing feedback for \'" + assignment + "\' for student \'" + student + "\'."',
            '"「" + assignment + "」の " + student + " さんのフィードバックを返却できませんでした。"',
        ),
    ],
}

# the nbgrader release the tables were written for (testbed_cli/requirements/hub.txt pins it)
UPSTREAM_VERSION = "0.9.6"
# sha256 of each nbgrader 0.9.6 file the tables were written against (`--digests` prints them)
UPSTREAM = {
    "static/js/formgrade.js": "53db14a9ea4a17ffbeb11ebc5e5ccd392fec01f78b6290d26fc1f86a47d96cbb",
    "static/js/formgrade_keyboardmanager.js": "4273e983197cc3947daa365808ea9f59651196a7a3920fe9323c83b50f870093",
    "static/js/formgrade_models.js": "cf65a763c01f137e98e4786115b0bee116549973f811d5278daf40a9b5d8cebb",
    "static/js/gradebook_assignments.js": "c886c6a5727f8c03a2c2ca419ffc9404196dffa37a62e79d2219766739917ef9",
    "static/js/gradebook_notebook_submissions.js": "c8418c99ad5ae93f0e87c30b331c292aec42162e272f9816fe1089a36d206613",
    "static/js/manage_assignments.js": "28668414f89c397fef9091cdebe90776563919cb9a4f28cf660d262be03fe554",
    "static/js/manage_students.js": "14379bf5c7471fac3377f63ea5b5ec10ae70b073901e23553120e09db8c4a09f",
    "static/js/manage_submissions.js": "530b74e8c265089d8ae1f40f2cff442fd13bef79cb6236758a35aeca7158e06b",
    "static/js/utils.js": "bf49532f75071613ab5439a3aaed26f89515634fc7e0e95f4729579cfec18272",
    "templates/base.tpl": "d206a94d41438f2897d5f6355f34877637ba37e8e391f44394282d8ef4dd1835",
    "templates/base_403.tpl": "2d198706be4e302ae09ac812a42dcd4ede2768da5aa3a98980756a95a1633bc7",
    "templates/base_500.tpl": "e04e1f39b090c83c0e77d373c23dd0fe87ab4873177e3897548ebf874e26a53f",
    "templates/feedback/conf.json": "16413e85897de8b2f5a5c3367dabc5976261be3bdeeda16e4591e99c72b4a78a",
    "templates/feedback/index.html.j2": "7814929190d8decfcaaeb1e381baefc4de6f77da9afc3cbed25cb8f141265688",
    "templates/formgrade/conf.json": "16413e85897de8b2f5a5c3367dabc5976261be3bdeeda16e4591e99c72b4a78a",
    "templates/formgrade/formgrade_macros.html.j2": "5eed6cc257f4aa3ba233812d878f47b1435da3528c7dbcfb4dbf2da5b40ce30e",
    "templates/formgrade/index.html.j2": "7a7a2c7539d2327c381f44cd7b37aa8965716d5c5bee5e98b38abaaccb65564f",
    "templates/formgrade_404.tpl": "0eb265b320c3197ab3dece5a3a5dc87a79788bada0ca6a465979529d262814ca",
    "templates/gradebook_assignments.tpl": "78460d266ac27b11cb84145fc48d4c23d1549f6df4020c4af302deced8f316a6",
    "templates/gradebook_base.tpl": "8c26028a36dea407a755278c152ecec0dbe24367127061b17b45300979280cc2",
    "templates/gradebook_notebook_submissions.tpl": "6ba31e53a5cd3c07a420dc6bfdddd7482f0cb239e956551b74e501ce30dd6018",
    "templates/gradebook_notebooks.tpl": "82397c92104b1d186119c5d6913f1710cf3466a4804731610031e229adc47b84",
    "templates/manage_assignments.tpl": "b0119b6950738c28afd5cb73f0302ce14b8188411962edda568b2cc758a56803",
    "templates/manage_students.tpl": "0932178cf83a164e6524730cc4dbb4b3d52aeb8c5979b5563f881c4b716ef6e5",
    "templates/manage_students_assignments.tpl": "cdb9b9ac6ccbca77753bebe4e19094b1b118dfa4be7f51c37672f56ac7013e88",
    "templates/manage_students_base.tpl": "d186f462b0ee4271c01783218a74fcded90ef3bb2e9907c54c9f94c4417bebbb",
    "templates/manage_students_notebook_submissions.tpl": "571edb1ad5a753a1c31833ef75b7a06a9ee8cc521a356c93f6693601139b4e68",
    "templates/manage_submissions.tpl": "b482829c57d325ea0b05eccab8a6e6aed8c4788171704783c1c297d3926dca75",
}


class UpstreamChanged(Exception):
    """nbgrader's source no longer matches a table: re-translate after an upgrade."""


def formgrader_dir() -> Path:
    """nbgrader's ``server_extensions/formgrader`` folder (found without importing nbgrader)."""
    spec = importlib.util.find_spec("nbgrader")
    if spec is None or not spec.submodule_search_locations:
        raise UpstreamChanged("nbgrader is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "server_extensions" / "formgrader"


def digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def translate(name: str, source: str, table: list[tuple[str, str]]) -> str:
    """``source`` with every snippet of ``table`` replaced; raises ``UpstreamChanged`` naming the snippets
    that no longer occur (nbgrader changed the file)."""
    missing = [en for en, _ja in table if en not in source]
    if missing:
        raise UpstreamChanged(f"{name}: nbgrader's text changed, not found: {missing!r}")
    for en, ja in table:
        source = source.replace(en, ja)
    return source


def translated_template(name: str) -> str:
    return translate(name, (formgrader_dir() / "templates" / name).read_text(encoding="utf-8"), TEMPLATES[name])


def translated_script(name: str) -> str:
    return translate(name, (formgrader_dir() / "static" / "js" / name).read_text(encoding="utf-8"), SCRIPTS[name])


def upstream_digests() -> dict[str, str]:
    """sha256 of every nbgrader file the tables translate, as installed now."""
    base = formgrader_dir()
    files = {f"templates/{n}": base / "templates" / n for n in [*TEMPLATES, *NBCONVERT_CONF]}
    files |= {f"static/js/{n}": base / "static" / "js" / n for n in SCRIPTS}
    return {k: digest(p.read_text(encoding="utf-8")) for k, p in sorted(files.items())}


def nbconvert_files() -> dict[str, str]:
    """The Japanese nbconvert templates, {path below grader/templates: text}."""
    out = {n: translated_template(n) for n in NBCONVERT_TEMPLATES}
    out |= {n: (formgrader_dir() / "templates" / n).read_text(encoding="utf-8") for n in NBCONVERT_CONF}
    return out


def check() -> dict[str, list[str]]:
    """What no longer matches the installed nbgrader: changed files, snippets not found, stale templates."""
    now = upstream_digests()
    report: dict[str, list[str]] = {"changed": sorted(k for k in UPSTREAM if now.get(k) != UPSTREAM[k])}
    report["not_found"] = []
    for name in TEMPLATES:
        try:
            translated_template(name)
        except UpstreamChanged as e:
            report["not_found"].append(str(e))
    for name in SCRIPTS:
        try:
            translated_script(name)
        except UpstreamChanged as e:
            report["not_found"].append(str(e))
    report["stale"] = []
    if not report["not_found"]:
        for name, text in nbconvert_files().items():
            path = TEMPLATE_DIR / name
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                report["stale"].append(name)
    return report


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--write", action="store_true", help="write grader/templates from the installed nbgrader")
    p.add_argument("--digests", action="store_true", help="print UPSTREAM for the installed nbgrader")
    p.add_argument("--check", action="store_true", help="JSON report: digests, tables, grader/templates up to date")
    a = p.parse_args(argv)
    if a.digests:
        for k, v in upstream_digests().items():
            print(f"    {k!r}: {v!r},")
    if a.check:
        print(json.dumps(check()))
    if a.write:
        for name, text in nbconvert_files().items():
            path = TEMPLATE_DIR / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
