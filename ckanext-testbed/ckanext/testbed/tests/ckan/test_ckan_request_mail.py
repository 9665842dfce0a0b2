"""Mail notifications of data requests (``requests/mail.py``) inside real CKAN 2.12, to a real SMTP server.

A local SMTP sink (aiosmtpd, in this process) receives what CKAN's mailer sends; the background jobs run in
this process too (CKAN's ``with_test_worker``: rq's worker without forking, ``burst``), as the stack's
``ckan-worker`` runs them. Every action runs as the person who would do it (auth checked).
"""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import re
import socket
import subprocess

import ckan.model as model
import pytest
from aiosmtpd.controller import Controller
from ckan.lib import jobs, mailer
from ckan.plugins import toolkit as tk
from ckan.tests import factories
from ckan.tests.helpers import call_action
from ckanext.testbed.requests import mail
from ckanext.testbed.requests.model import Request

pytestmark = [pytest.mark.ckanext, pytest.mark.usefixtures("with_plugins", "clean_db", "clean_queues")]

TITLE = "指定緊急避難場所を GeoJSON で"
JST = dt.timezone(dt.timedelta(hours=9))


def act(action: str, who: dict, /, **data):
    return call_action(action, context={"user": who["name"], "ignore_auth": False}, **data)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Sink:
    """aiosmtpd handler: keeps every message; refuses the recipients listed in ``refuse``."""

    def __init__(self) -> None:
        self.received: list[tuple[list[str], email.message.EmailMessage]] = []
        self.refuse: set[str] = set()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        self.received.append((list(envelope.rcpt_tos), message))
        return "250 Message accepted"

    def to(self, address: str) -> list[email.message.EmailMessage]:
        return [message for rcpts, message in self.received if address in rcpts]

    def addresses(self) -> list[str]:
        return sorted(a for rcpts, _ in self.received for a in rcpts)


def start_sink(**controller_options) -> tuple[Sink, Controller]:
    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=free_port(), **controller_options)
    controller.start()
    return sink, controller


@pytest.fixture
def smtp(ckan_config, monkeypatch):
    """A running SMTP sink and the site's mail switched on and pointed at it."""
    sink, controller = start_sink()
    monkeypatch.setitem(ckan_config, "ckanext.testbed.mail.enabled", True)
    monkeypatch.setitem(ckan_config, "smtp.server", f"127.0.0.1:{controller.port}")
    monkeypatch.setitem(ckan_config, "smtp.starttls", False)
    monkeypatch.setitem(ckan_config, "smtp.mail_from", "opendata@city.example.jp")
    yield sink
    controller.stop()


@pytest.fixture
def run_jobs(with_test_worker):
    """Run every queued job now, in this process; return the jobs that ran (their status refreshed)."""

    def run() -> list:
        queued = list(jobs.get_queue().jobs)
        jobs.Worker().work(burst=True)
        for job in queued:
            job.refresh()
        return queued

    return run


@pytest.fixture
def people():
    """A requester, a coordinator, 危機管理課 with an editor and an admin without an address, an outsider."""
    sysadmin = factories.Sysadmin()
    requester = factories.User(name="tb-req-yamada", fullname="山田 物流", email="yamada@example.jp")
    coordinator = factories.User(name="tb-coordinator", fullname="調整 一郎", email="chousei@city.example.jp")
    staff = factories.User(name="tb-kikikanri-sato", fullname="佐藤 花子", email="sato@city.example.jp")
    no_mail = factories.User(name="tb-kikikanri-kato", fullname="加藤 次郎", email="kato@city.example.jp")
    outsider = factories.User(name="tb-citizen", fullname="市民 三郎", email="citizen@example.jp")
    org = factories.Organization(
        name="kikikanri-ka",
        title="危機管理課",
        users=[{"name": staff["name"], "capacity": "editor"}, {"name": no_mail["name"], "capacity": "admin"}],
    )
    shelters = factories.Dataset(name="hinanbasho", title="指定緊急避難場所一覧", owner_org=org["id"])
    user = model.User.get(no_mail["id"])
    user.email = None
    model.repo.commit()
    act("testbed_request_coordinator_set", sysadmin, user=coordinator["name"])
    return {
        "requester": requester,
        "coordinator": coordinator,
        "staff": staff,
        "no_mail": no_mail,
        "outsider": outsider,
        "org": org,
        "shelters": shelters,
    }


def file_request(people, title: str = TITLE) -> dict:
    return act("testbed_request_create", people["requester"], title=title, description="地図アプリで使いたい。")


def link(request_id: str) -> str:
    return f"{tk.config.get('ckan.site_url').rstrip('/')}/data-request/{request_id}"


def only(messages: list) -> email.message.EmailMessage:
    assert len(messages) == 1, [m["Subject"] for m in messages]
    return messages[0]


def test_the_life_of_a_request_mails_each_person_involved_in_japanese(smtp, run_jobs, people):
    """File → route and assign → comment → close: does each event mail the right people (never the actor, never
    someone without an address), with a Japanese subject and plain-text body naming the title, what happened,
    who did it, when in Japan time and the request's link?"""
    request = file_request(people)
    run_jobs()
    created = only(smtp.to("chousei@city.example.jp"))
    assert smtp.addresses() == ["chousei@city.example.jp"]  # the requester filed it: no mail to them
    assert created["Subject"] == f"[{tk.config.get('ckan.site_title')}] 新しい要望が届きました: {TITLE}"
    assert created["To"].addresses[0].display_name == "調整 一郎"
    assert created["From"].addresses[0].addr_spec == "opendata@city.example.jp"
    assert created.get_content_type() == "text/plain"
    body = created.get_content()
    assert body.startswith("調整 一郎 様\n")
    assert "山田 物流 さんがデータ公開の要望を出しました。" in body and f"要望: {TITLE}" in body
    assert "担当課: 未定 (調整役が振り分けます)" in body
    assert link(request["id"]) in body.splitlines()
    sent_at = re.search(r"日時: (\d+)年(\d+)月(\d+)日\(.\) (\d\d):(\d\d) \(日本時間\)", body)
    assert sent_at, body
    when = dt.datetime(*map(int, sent_at.groups()), tzinfo=JST)
    assert abs(dt.datetime.now(JST) - when) < dt.timedelta(minutes=2)

    smtp.received.clear()
    act("testbed_request_assign", people["coordinator"], id=request["id"], organization="kikikanri-ka",
        assignee=people["staff"]["name"])  # fmt: skip
    run_jobs()
    assert smtp.addresses() == ["sato@city.example.jp", "yamada@example.jp"]  # 加藤 has no address
    assigned = only(smtp.to("yamada@example.jp")).get_content()
    assert "調整 一郎 さんが要望の担当を決めました。" in assigned
    assert "担当課: 危機管理課" in assigned and "担当者: 佐藤 花子 さん" in assigned
    assert "要望の担当が決まりました" in only(smtp.to("sato@city.example.jp"))["Subject"]

    act("testbed_request_follow", people["outsider"], id=request["id"])
    smtp.received.clear()
    act(
        "testbed_request_comment", people["staff"], id=request["id"], text="来月公開の予定です。\n形式は GeoJSON です。"
    )
    run_jobs()
    assert smtp.addresses() == ["citizen@example.jp", "yamada@example.jp"]
    commented = only(smtp.to("yamada@example.jp")).get_content()
    assert "佐藤 花子 さんが要望にコメントしました。" in commented
    assert "  来月公開の予定です。\n  形式は GeoJSON です。" in commented
    # someone who only follows the request sees the actor's role, as on the request's page, not their name
    outside = only(smtp.to("citizen@example.jp")).get_content()
    assert "担当課が要望にコメントしました。" in outside and "佐藤" not in outside

    smtp.received.clear()
    act("testbed_request_close", people["staff"], id=request["id"], resolution="published", dataset="hinanbasho")
    run_jobs()
    assert smtp.addresses() == ["citizen@example.jp", "yamada@example.jp"]
    closed = only(smtp.to("yamada@example.jp"))
    assert closed["Subject"].endswith(f"要望が公開済みとして完了しました: {TITLE}")
    text = closed.get_content()
    assert "佐藤 花子 さんが要望を完了にしました。" in text and "対応結果: 公開済み" in text
    assert (
        f"公開したデータ: 指定緊急避難場所一覧 {tk.config.get('ckan.site_url').rstrip('/')}/dataset/hinanbasho" in text
    )
    assert "/data-request/mail-settings" in text
    # the in-CKAN notifications are there as before
    assert act("testbed_request_notifications", people["requester"])["unread"] == 3


def test_without_mail_configured_nothing_is_queued_or_sent(ckan_config, monkeypatch, run_jobs, people):
    """With ckanext.testbed.mail.enabled off (no mail: in the stack config) but an SMTP server reachable, do the
    actions work, record their in-CKAN notifications, and send nothing?"""
    sink, controller = start_sink()
    try:
        monkeypatch.setitem(ckan_config, "smtp.server", f"127.0.0.1:{controller.port}")
        monkeypatch.setitem(ckan_config, "ckanext.testbed.mail.enabled", False)
        request = file_request(people)
        act("testbed_request_comment", people["coordinator"], id=request["id"], text="確認します。")
        assert jobs.get_queue().jobs == []
        run_jobs()
        assert sink.received == []
        assert act("testbed_request_notifications", people["requester"])["unread"] == 1
    finally:
        controller.stop()


def test_a_refused_address_loses_only_its_own_mail(smtp, run_jobs, people):
    """When the SMTP server refuses one recipient, does the action still succeed, the job finish without error,
    and the other recipients get their mail?"""
    request = file_request(people)
    act("testbed_request_assign", people["coordinator"], id=request["id"], organization="kikikanri-ka")
    run_jobs()
    smtp.received.clear()
    smtp.refuse.add("yamada@example.jp")
    act("testbed_request_comment", people["staff"], id=request["id"], text="確認中です。")
    (job,) = run_jobs()
    assert job.get_status() == "finished" and job.return_value() == 0  # nobody else to tell: the requester only
    smtp.refuse.clear()
    act("testbed_request_comment", people["requester"], id=request["id"], text="お願いします。")
    smtp.refuse.add("sato@city.example.jp")
    (job,) = run_jobs()
    assert job.get_status() == "finished"
    assert smtp.addresses() == []  # 佐藤 refused; 加藤 has no address
    smtp.refuse.clear()
    act("testbed_request_follow", people["outsider"], id=request["id"])
    smtp.refuse.add("sato@city.example.jp")
    act("testbed_request_comment", people["requester"], id=request["id"], text="追加です。")
    (job,) = run_jobs()
    assert job.get_status() == "finished" and job.return_value() == 1
    assert smtp.addresses() == ["citizen@example.jp"]


def test_an_smtp_server_that_is_down_or_a_queue_that_is_down_fails_no_action(
    ckan_config, monkeypatch, run_jobs, people
):
    """With nothing listening on the SMTP port, do the actions succeed and the job end quietly (logged)? With
    Redis refusing the job, does the action still succeed?"""
    monkeypatch.setitem(ckan_config, "ckanext.testbed.mail.enabled", True)
    monkeypatch.setitem(ckan_config, "smtp.server", f"127.0.0.1:{free_port()}")
    monkeypatch.setitem(ckan_config, "smtp.mail_from", "opendata@city.example.jp")
    request = file_request(people)
    (job,) = run_jobs()
    assert job.get_status() == "finished" and job.return_value() == 0

    def refuse(*args, **kwargs):
        raise ConnectionError("Redis is down")

    monkeypatch.setattr(tk, "enqueue_job", refuse)
    done = act("testbed_request_comment", people["coordinator"], id=request["id"], text="担当課に回します。")
    assert done["text"] == "担当課に回します。"
    assert act("testbed_request_show", people["requester"], id=request["id"])["comments"][0]["text"] == done["text"]


def test_placeholder_addresses_of_trainees_and_samples_get_no_mail(smtp, run_jobs, people):
    """Are the reserved-domain addresses the project gives accounts it makes (trainees, sample requesters) skipped
    instead of sent to bounce?"""
    user = model.User.get(people["coordinator"]["id"])
    user.email = "tb-coordinator@trainees.testbed.example"
    model.repo.commit()
    assert act("testbed_request_mail_settings", people["coordinator"])["has_email"] is False
    file_request(people)
    (job,) = run_jobs()
    assert job.return_value() == 0 and smtp.received == []


def test_a_training_copy_mails_only_the_trainee_and_nothing_goes_to_an_invalid_address(smtp, run_jobs, people):
    """Filed as trainee provisioning files it (a sysadmin, on the fictional requester's behalf, straight to the
    trainee's sandbox), is a training copy mailed to the trainee only: no coordinator, not the sysadmin, and never
    the requester's reserved ``…@example.invalid`` address, neither on a later event nor by CKAN's own mailer?"""
    sysadmin = factories.Sysadmin(email="testbed-admin@localhost")
    requester = model.User.get(people["requester"]["id"])
    requester.email = "tb-req-yamada@example.invalid"
    model.repo.commit()
    trainee = factories.User(name="tb-kobayashi", fullname="小林 研修", email="kobayashi@city.example.jp")
    act("organization_create", sysadmin, name="sandbox-kobayashi", title="小林 研修 のサンドボックス")
    act("organization_member_create", sysadmin, id="sandbox-kobayashi", username=trainee["name"], role="editor")

    copy = act(
        "testbed_request_create",
        sysadmin,
        title=f"【研修】{TITLE}",
        organization="sandbox-kobayashi",
        requester=people["requester"]["name"],
    )
    (job,) = run_jobs()
    assert job.return_value() == 1 and smtp.addresses() == ["kobayashi@city.example.jp"]
    created = only(smtp.to("kobayashi@city.example.jp"))
    assert "新しい要望が届きました" in created["Subject"]
    assert "山田 物流 さんがデータ公開の要望を出しました。" in created.get_content()  # the requester filed it

    act("testbed_request_comment", trainee, id=copy["id"], text="確認します。")  # to the requester, who follows it
    (job,) = run_jobs()
    assert job.return_value() == 0 and smtp.addresses() == ["kobayashi@city.example.jp"]
    mailer.mail_recipient("山田 物流", "tb-req-yamada@example.invalid", "パスワードの再設定", "本文")  # CKAN's own
    assert smtp.addresses() == ["kobayashi@city.example.jp"]


def test_a_title_and_a_name_with_newlines_and_html_cannot_break_the_headers(smtp, run_jobs, people):
    """Does a title or display name with a line break and a forged header stay one line in the subject and To,
    add no header or recipient, and show its HTML as plain text in the body?"""
    user = model.User.get(people["coordinator"]["id"])
    user.fullname = "調整\r\nBcc: victim@example.com"
    model.repo.commit()
    title = "避難所<script>alert(1)</script>\r\nBcc: evil@example.com\nX-Evil: 1"
    file_request(people, title=title)
    run_jobs()
    rcpts, message = only_received(smtp)
    assert rcpts == ["chousei@city.example.jp"]
    assert "Bcc" not in message and "X-Evil" not in message
    assert "\n" not in message["Subject"] and "\r" not in message["Subject"]
    assert message["Subject"].endswith("避難所<script>alert(1)</script> Bcc: evil@example.com X-Evil: 1")
    assert message["To"].addresses[0].addr_spec == "chousei@city.example.jp"
    assert message["To"].addresses[0].display_name == "調整 Bcc： victim＠example.com"  # no second address
    body = message.get_content()
    assert message.get_content_type() == "text/plain"
    assert "要望: 避難所<script>alert(1)</script> Bcc: evil@example.com X-Evil: 1" in body


def only_received(sink: Sink):
    assert len(sink.received) == 1, sink.addresses()
    return sink.received[0]


def test_a_user_who_turns_mail_off_gets_none_but_keeps_the_in_ckan_notice(app, smtp, run_jobs, people):
    """Does the page /data-request/mail-settings show the choice and turn it off, after which that user gets no
    mail but still the notification in CKAN, while the others still get theirs?"""
    token = factories.APIToken(user=people["coordinator"]["id"])["token"]
    auth = {"Authorization": token}
    page = app.get("/data-request/mail-settings", headers=auth).body
    assert "メールでのお知らせ" in page and "checked" in page
    app.get("/data-request/mail-settings", status=403)
    saved = app.post("/data-request/mail-settings", data={}, headers=auth, follow_redirects=True).body
    assert "メールでは送りません" in saved
    assert act("testbed_request_mail_settings", people["coordinator"]) == {
        "mail": False,
        "has_email": True,
        "site_sends_mail": True,
    }
    file_request(people)
    run_jobs()
    assert smtp.received == []
    assert act("testbed_request_notifications", people["coordinator"])["unread"] == 1
    act("testbed_request_mail_settings", people["coordinator"], mail=True)
    file_request(people, title="AED の設置場所")
    run_jobs()
    assert smtp.addresses() == ["chousei@city.example.jp"]


def test_mail_goes_over_smtps_when_ssl_is_chosen(tmp_path, ckan_config, monkeypatch, run_jobs, people):
    """With ckanext.testbed.mail.ssl (stack config security: ssl), does the mail arrive over TLS from the first
    byte, the server's certificate verified?"""
    import ssl

    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
         "-days", "1", "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost"],
        check=True, capture_output=True,
    )  # fmt: skip
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    sink = Sink()
    controller = Controller(sink, hostname="localhost", port=free_port(), ssl_context=context)
    controller.start()
    try:
        monkeypatch.setenv("SSL_CERT_FILE", str(cert))  # trust the test's own certificate only
        monkeypatch.setitem(ckan_config, "ckanext.testbed.mail.enabled", True)
        monkeypatch.setitem(ckan_config, "ckanext.testbed.mail.ssl", True)
        monkeypatch.setitem(ckan_config, "smtp.server", f"localhost:{controller.port}")
        monkeypatch.setitem(ckan_config, "smtp.mail_from", "opendata@city.example.jp")
        file_request(people)
        (job,) = run_jobs()
        assert job.return_value() == 1
        rcpts, message = only_received(sink)
        assert rcpts == ["chousei@city.example.jp"] and "新しい要望が届きました" in message["Subject"]
        assert message.get_content().startswith("調整 一郎 様\n")
        monkeypatch.delenv("SSL_CERT_FILE")  # an untrusted certificate: logged, not sent, the action unharmed
        file_request(people, title="AED の設置場所")
        (job,) = run_jobs()
        assert job.return_value() == 0 and len(sink.received) == 1
    finally:
        controller.stop()


def test_mail_of_an_event_is_dropped_with_a_rolled_back_action(smtp, run_jobs, people):
    """When the transaction that recorded an event is rolled back, is its mail forgotten?"""
    request_id = file_request(people)["id"]
    run_jobs()
    request = model.Session.get(Request, request_id)  # a transaction of this session, as in an action
    mail.queue_event(request.id, "commented", None, [people["requester"]["id"]])
    model.Session.rollback()
    model.repo.commit()
    assert jobs.get_queue().jobs == []
