"""The stack config's ``mail:`` section: validated with Japanese messages, rendered into ckan.ini's ``smtp.*``."""

from __future__ import annotations

import configparser
from pathlib import Path

import pytest

from testbed_cli import ckan
from testbed_cli.errors import SetupError
from testbed_config import ConfigError, StackConfig, load_config
from testbed_config.layout import Layout

pytestmark = pytest.mark.unit


def load(tmp_path: Path, text: str) -> StackConfig:
    path = tmp_path / "testbed.yaml"
    path.write_text(text, encoding="utf-8")
    return load_config(path)


def refused(tmp_path: Path, text: str) -> str:
    with pytest.raises(ConfigError) as e:
        load(tmp_path, text)
    return str(e.value)


def app_main(text: str) -> configparser.SectionProxy:
    """ckan.ini's [app:main] as CKAN reads it (ConfigParser with its ``%`` interpolation)."""
    parser = configparser.ConfigParser()
    parser.optionxform = str
    parser.read_string(text)
    return parser["app:main"]


def test_is_mail_off_without_a_mail_section():
    """Does a config without mail: send nothing (the plugin's switch off, no smtp.server written)?"""
    cfg = StackConfig()
    assert not cfg.mail.enabled
    ini = app_main("[app:main]\n" + ckan.mail_settings(cfg.mail))
    assert ini["ckanext.testbed.mail.enabled"] == "false"
    assert "smtp.server" not in ini


def test_is_a_starttls_relay_with_a_password_file_rendered_for_ckans_mailer(tmp_path):
    """Does host + sender + user + password file give CKAN's smtp.* (port 587, STARTTLS), the password read from
    its file and surviving ckan.ini's % interpolation, and no password in the config file itself?"""
    secret = tmp_path / "smtp-password"
    secret.write_text("p%ss#word\n", encoding="utf-8")
    text = (
        "mail:\n  host: smtp.city.example.jp\n  sender: opendata@city.example.jp\n"
        f"  user: opendata\n  password_file: {secret}\n"
    )
    cfg = load(tmp_path, text)
    ini = app_main("[app:main]\n" + ckan.mail_settings(cfg.mail))
    assert ini["ckanext.testbed.mail.enabled"] == "true"
    assert ini["smtp.server"] == "smtp.city.example.jp:587"
    assert ini["smtp.starttls"] == "true" and ini["ckanext.testbed.mail.ssl"] == "false"
    assert ini["smtp.mail_from"] == "opendata@city.example.jp"
    assert ini["smtp.user"] == "opendata" and ini["smtp.password"] == "p%ss#word"


@pytest.mark.parametrize(
    ("security", "port", "server", "starttls", "ssl"),
    [
        ("ssl", "", "mail.example.jp:465", "false", "true"),
        ("none", "", "mail.example.jp:25", "false", "false"),
        ("starttls", "  port: 2525\n", "mail.example.jp:2525", "true", "false"),
    ],
)
def test_does_security_choose_the_port_and_the_tls_switches(tmp_path, security, port, server, starttls, ssl):
    """Does each security choice get its usual port (unless one is given) and the right TLS switches?"""
    cfg = load(tmp_path, f"mail:\n  host: mail.example.jp\n  sender: a@example.jp\n  security: {security}\n{port}")
    ini = app_main("[app:main]\n" + ckan.mail_settings(cfg.mail))
    assert (ini["smtp.server"], ini["smtp.starttls"], ini["ckanext.testbed.mail.ssl"]) == (server, starttls, ssl)
    assert "smtp.user" not in ini and "smtp.password" not in ini


def test_is_an_ipv6_relay_written_in_brackets(tmp_path):
    cfg = load(tmp_path, "mail:\n  host: '::1'\n  sender: a@example.jp\n  security: none\n")
    assert app_main("[app:main]\n" + ckan.mail_settings(cfg.mail))["smtp.server"] == "[::1]:25"


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("mail:\n  host: smtp://smtp.example.jp:587\n  sender: a@example.jp\n", ["mail.host", "mail.port"]),
        ("mail:\n  host: smtp.example.jp\n  sender: 市役所 <a@example.jp>\n", ["mail.sender", "アドレスだけ"]),
        ("mail:\n  host: smtp.example.jp\n", ["mail.sender", "差出人"]),
        ("mail:\n  sender: a@example.jp\n", ["mail.host", "mail.sender", "節ごと消して"]),
        ("mail:\n  host: smtp.example.jp\n  sender: a@example.jp\n  user: u\n", ["mail.password_file"]),
        (
            "mail:\n  host: smtp.example.jp\n  sender: a@example.jp\n  user: u\n  password_file: secret.txt\n",
            ["mail.password_file", "絶対パス"],
        ),
        ("mail:\n  host: smtp.example.jp\n  sender: a@example.jp\n  security: tls\n", ["mail.security", "starttls"]),
        ("mail:\n  host: smtp.example.jp\n  sender: a@example.jp\n  port: 70000\n", ["mail.port", "65535"]),
        ("mail:\n  host: smtp.example.jp\n  sender: a@example.jp\n  password: x\n", ["mail.password", "知らない"]),
    ],
)
def test_are_bad_mail_settings_refused_in_japanese_naming_the_key(tmp_path, text, words):
    """Is each mistake (URL or port in the host, a name in the sender, a half-given login, a relative password
    file, an unknown security, a secret written into the config) refused with the key and the fix, in Japanese?"""
    message = refused(tmp_path, text)
    assert message.startswith("設定ファイル")
    for word in words:
        assert word in message


@pytest.mark.parametrize("content", [None, "", "two\nlines\n", " padded \n"])
def test_is_a_missing_or_malformed_password_file_a_japanese_setup_error(tmp_path, content):
    """Does ./testbed up stop with a Japanese message when the password file is missing, empty or not one line?"""
    secret = tmp_path / "smtp-password"
    if content is not None:
        secret.write_text(content, encoding="utf-8")
    text = f"mail:\n  host: smtp.example.jp\n  sender: a@example.jp\n  user: opendata\n  password_file: {secret}\n"
    cfg = load(tmp_path, text)
    with pytest.raises(SetupError) as e:
        ckan.mail_settings(cfg.mail)
    assert "SMTP のパスワードファイル" in str(e.value)


def test_do_the_mail_lines_land_in_app_main_of_the_rendered_ckan_ini(tmp_path, monkeypatch):
    """Does render_ini put the mail lines into [app:main] (not into the logging sections after it)?"""
    monkeypatch.setattr(ckan.secrets, "get", lambda state, name: "secret")
    cfg = StackConfig.model_validate(
        {
            "state_dir": str(tmp_path / "state"),
            "prefix": str(tmp_path / "opt"),
            "mail": {"host": "smtp.example.jp", "sender": "a@example.jp"},
        }
    )
    parser = configparser.ConfigParser()
    parser.optionxform = str
    parser.read_string(ckan.render_ini(Layout(cfg)))
    assert parser["app:main"]["smtp.server"] == "smtp.example.jp:587"
    assert parser["app:main"]["ckanext.testbed.mail.enabled"] == "true"
    assert "smtp.server" not in parser["formatter_generic"]
