"""Config errors in Japanese (testbed_config/config_errors.py): every kind of wrong value names the key,
what was written and what is expected, and no English pydantic text reaches the operator."""

from __future__ import annotations

import re

import pytest

from testbed_config import ConfigError, load_config
from testbed_config.config_errors import explain, location

pytestmark = pytest.mark.unit


def _error(tmp_path, text: str) -> str:
    path = tmp_path / "testbed.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as e:
        load_config(path)
    return str(e.value)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('ports: {hub: "abc"}\n', 'ports.hub: 整数 を書いてください (書かれている値: "abc")'),
        ("courses: 5\n", "courses: リスト (「- 値」の行を並べた形) を書いてください (書かれている値: 5)"),
        ("mode: 3\n", "mode: 次のどれかを書いてください: onsite、remote (書かれている値: 3)"),
        ("mode: cloud\n", 'mode: 次のどれかを書いてください: onsite、remote (書かれている値: "cloud")'),
        ("ports: 5\n", "ports: 「キー: 値」の形 (YAML の辞書) を書いてください (書かれている値: 5)"),
        ("ports: {ckan: 0}\n", "ports.ckan: 1 以上にしてください (書かれている値: 0)"),
        ("ports: {ckan: 70000}\n", "ports.ckan: 65535 以下にしてください (書かれている値: 70000)"),
        ("courses: [{title: x}]\n", "courses[0].id: 必須の設定がありません。値を書いてください"),
        (
            "deploy: {trainee_cpu_limit: abc}\n",
            'deploy.trainee_cpu_limit: 数値 を書いてください (書かれている値: "abc")',
        ),
        ("state_dir: [1]\n", "state_dir: ファイルやディレクトリのパス"),
        ("admins: yes\n", "admins: リスト (「- 値」の行を並べた形) を書いてください (書かれている値: true)"),
    ],
)
def test_does_a_wrong_value_get_a_japanese_message(tmp_path, text, expected):
    """Does each wrong-type or out-of-range value name the key, what was written and what is expected?"""
    message = _error(tmp_path, text)
    assert expected in message
    assert message.startswith("設定ファイル") and "もう一度実行してください" in message


@pytest.mark.parametrize(
    "text",
    ['ports: {hub: "abc"}\n', "courses: 5\n", "mode: 3\n", "ports: 5\n", "courses: [{id: 1}]\n", "admins: [1, 2]\n"],
)
def test_is_no_english_pydantic_text_left(tmp_path, text):
    """Is pydantic's English (``Input should be ...``, ``Field required``, its docs link) never shown?"""
    message = _error(tmp_path, text)
    assert not re.search(r"Input should|Field required|errors\.pydantic|validation error|type=", message), message


def test_does_an_unforeseen_error_type_stay_japanese():
    """Is an error type with no sentence of its own still explained in Japanese, with the value written?"""
    text = explain({"type": "some_new_type", "loc": ("x",), "msg": "Something English", "input": "zz"})
    assert "Something English" not in text and '"zz"' in text and "正しくありません" in text


def test_are_list_positions_shown_as_in_yaml():
    """Is pydantic's location ``("courses", 0, "id")`` shown as ``courses[0].id``?"""
    assert location(("courses", 0, "id")) == "courses[0].id"
    assert location(()) == "(全体)"
