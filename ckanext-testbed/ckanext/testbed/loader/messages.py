"""Japanese messages shown to trainees and administrators, kept in one place.

Every failure the loader can report on a resource page is written here so the wording
stays consistent and reviewable by a Japanese-speaking instructor.
"""

from __future__ import annotations


class LoadError(Exception):
    """A load failure whose ``message`` is a complete Japanese sentence for the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


UNDECODABLE = (
    "文字コードを判別できません。UTF-8 か Shift_JIS (CP932) で保存し直してから、もう一度アップロードしてください。"
)
UNDECODABLE_AT_LINE = "{line} 行目付近に、UTF-8 としても Shift_JIS (CP932) としても読めない文字があります。"
BINARY_FILE = (
    "ファイルに NUL 文字が含まれています。"
    "CSV などのテキストファイルではないか、UTF-16 で保存されている可能性があります。"
)
UTF16_FILE = (
    "ファイルが UTF-16 (Excel の「Unicode テキスト」など) で保存されています。"
    "UTF-8 か Shift_JIS (CP932) の CSV で保存し直してから、もう一度アップロードしてください。"
)
EMPTY_FILE = "ファイルが空です。見出し行とデータ行のある CSV をアップロードしてください。"
HEADER_ONLY = "見出し行だけで、データ行がありません。空の表として登録しました。"
TOO_MANY_CELLS = (
    "{line} 行目のセルの数 ({cells}) が見出しの列数 ({columns}) より多いです。"
    '区切り文字や「"」の閉じ忘れがないか確認してください。'
)
CSV_SYNTAX = "{line} 行目から CSV の形式が正しくありません: {detail}"
CSV_UNCLOSED_QUOTE = '「"」で始まったセルがファイルの終わりまで閉じられていません。'
CSV_TEXT_AFTER_QUOTE = '「"」で囲んだセルの後ろに区切り文字以外の文字があります。'
TOO_MANY_ROWS = "データ行が {limit:,} 行を超えています。{limit:,} 行以下に分割してアップロードしてください。"
FILE_TOO_LARGE = "ファイルが大きすぎます ({size_mb:.1f} MB)。{limit_mb} MB 以下にしてください。"
XLSX_UNAVAILABLE = "このサーバーでは Excel (XLSX) ファイルを読み込めません。CSV で保存してアップロードしてください。"
XLSX_BROKEN = "Excel (XLSX) ファイルを開けませんでした。ファイルが壊れていないか確認してください。"
UNSUPPORTED_FORMAT = "形式「{format}」はデータストアへの読み込みに対応していません (対応形式: {formats})。"
NOT_AN_UPLOAD = "アップロードされたファイルではないため、データストアに読み込めません。"
FILE_MISSING = "アップロードされたファイルがサーバー上に見つかりません。もう一度アップロードしてください。"
WRITE_FAILED = (
    "データストアへの書き込みに失敗しました。以前に読み込んだデータがあれば、そのまま残っています。"
    "管理者に連絡してください ({detail})。"
)
UNEXPECTED = "読み込み中に予期しないエラーが発生しました。管理者に連絡してください ({detail})。"
TIMED_OUT = "読み込みが制限時間内に終わりませんでした。ファイルを小さくするか、管理者に連絡してください。"

PENDING = "データストアへの読み込みを待っています。"
RUNNING = "データストアに読み込んでいます。"
COMPLETE = "{rows:,} 行をデータストアに読み込みました (文字コード: {encoding})。"
COMPLETE_XLSX = "Excel ファイルの最初のシートから {rows:,} 行をデータストアに読み込みました。"
SKIPPED_UNCHANGED = "ファイルは前回の読み込みから変わっていません。"
NO_RECORD = "このリソースにはデータストアへの読み込みの記録がありません。"

NOTICE_BLANK_HEADER = "{position} 列目の見出しが空だったため「{name}」としました。"
NOTICE_DUPLICATE_HEADER = "見出し「{original}」が重複していたため、{position} 列目を「{name}」としました。"
NOTICE_RENAMED_HEADER = "{position} 列目の見出し「{original}」は使えない文字を含むため「{name}」としました。"
NOTICE_LONG_HEADER = "{position} 列目の見出しが長すぎる (63 バイト超) ため「{name}」に短縮しました。"
NOTICE_SHORT_ROWS = "セルの数が見出しより少ない行が {count:,} 行あり、足りないセルは空欄として扱いました。"
NOTICE_BLANK_ROWS = "空の行を {count:,} 行読み飛ばしました。"

ENCODING_NAMES = {"utf-8": "UTF-8", "utf-8-sig": "UTF-8 (BOM 付き)", "cp932": "Shift_JIS (CP932)"}
