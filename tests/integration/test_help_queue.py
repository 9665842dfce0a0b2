"""The console's help queue (手を挙げる) and announcements (お知らせ) against the running stack: raise, list, done,
cancel; a trainee cannot touch another's request; bad paths and HTML are handled; JupyterLab's news feed."""

from __future__ import annotations

import pytest
import requests
from helpers import console
from helpers.progress import cohort_member, login

pytestmark = pytest.mark.integration


@pytest.fixture
def cls(hub, layout, stack_config, unique):
    """Two trainees of the first course in different 期, signed in, and the instructor, signed in."""
    course = stack_config.courses[0].id
    a, b = f"ha{unique()}", f"hb{unique()}"
    with (
        cohort_member(hub, layout, course, a, "挙手 一郎", "pass-a-1234", cohort="1期"),
        cohort_member(hub, layout, course, b, "挙手 二郎", "pass-b-1234", cohort="2期"),
        console.forgetting(layout, course, a, b) as store,
    ):
        teacher = login(
            hub, stack_config.courses[0].instructors[0], (layout.secrets / "instructor-password").read_text().strip()
        )
        yield {
            "course": course,
            "a": a,
            "b": b,
            "sa": login(hub, a, "pass-a-1234"),
            "sb": login(hub, b, "pass-b-1234"),
            "teacher": teacher,
            "instructor": stack_config.courses[0].instructors[0],
            "store": store,
        }


def _requests(session, hub, course, **params) -> list[dict]:
    r = session.get(console.url(hub, course, "api/help"), params=params, timeout=30)
    assert r.status_code == 200, r.text[:300]
    return r.json()["requests"]


def test_raise_list_done_and_cancel(hub, cls):
    """Does a raised hand show in the trainee's list and the instructor's queue (waiting time, notebook link), and
    leave the queue when the trainee cancels it or the instructor marks it done?"""
    course, a, sa, teacher = cls["course"], cls["a"], cls["sa"], cls["teacher"]
    r = console.post(sa, hub, course, "help", {"notebook": f"{course}/01_kadai/01_kadai.ipynb", "note": "エラーです"})
    assert r.status_code == 303, r.text[:300]
    mine = _requests(sa, hub, course)
    assert [(m["username"], m["state"], m["note"]) for m in mine] == [(a, "open", "エラーです")]
    queue = {q["id"]: q for q in _requests(teacher, hub, course)}
    q = queue[mine[0]["id"]]
    assert q["waiting_seconds"] >= 0 and q["raised_at"].endswith("+00:00")
    assert q["notebook_url"] == f"/user/{a}/lab/tree/{course}/01_kadai/01_kadai.ipynb"
    page = teacher.get(console.url(hub, course, "help"), timeout=30).text
    assert "挙手 一郎" in page and "待ち時間" in page and q["notebook_url"] in page

    # the trainee cancels it
    r = console.post(sa, hub, course, f"help/{q['id']}/cancel", {})
    assert r.status_code == 303
    assert _requests(sa, hub, course)[0]["state"] == "cancelled"
    assert q["id"] not in {x["id"] for x in _requests(teacher, hub, course)}

    # raised again, the instructor marks it done
    console.post(sa, hub, course, "help", {"notebook_choice": "", "note": ""})
    again = _requests(sa, hub, course)[0]
    assert again["state"] == "open" and again["notebook"] == ""
    r = console.post(teacher, hub, course, f"help/{again['id']}/done", {})
    assert r.status_code == 303
    done = _requests(sa, hub, course)[0]
    assert done["state"] == "done" and done["closed_by"] == cls["instructor"]


def test_another_trainee_cannot_see_cancel_or_close_a_request(hub, cls):
    """Does a trainee get 403 for cancelling or closing another trainee's request, and never see it?"""
    course, sa, sb = cls["course"], cls["sa"], cls["sb"]
    console.post(sa, hub, course, "help", {"note": "助けて"})
    rid = _requests(sa, hub, course)[0]["id"]
    assert _requests(sb, hub, course) == []
    for action in ("cancel", "done"):
        r = console.post(sb, hub, course, f"help/{rid}/{action}", {})
        assert r.status_code == 403, r.text[:300]
        assert "取り消せません" in r.text or "講師だけ" in r.text
    assert _requests(sa, hub, course)[0]["state"] == "open"
    # the trainee's own done (not cancel) is refused too: only instructors mark requests done
    assert console.post(sa, hub, course, f"help/{rid}/done", {}).status_code == 403
    # and the instructor's queue view is not theirs
    assert all(r["username"] == cls["b"] for r in _requests(sb, hub, course, all="1"))


def test_a_post_without_the_xsrf_token_is_refused(hub, cls):
    """Is a form POST without the service's xsrf token refused (nothing stored)?"""
    course, sa = cls["course"], cls["sa"]
    console.xsrf(sa, hub, course)  # signed in to the service
    r = sa.post(console.url(hub, course, "help"), data={"note": "x"}, timeout=30, allow_redirects=False)
    assert r.status_code in (302, 403)
    assert _requests(sa, hub, course) == []


@pytest.mark.parametrize("path", ["../../etc/passwd", "/home/other/x.ipynb", "odtb/../../x.ipynb", "~root/x"])
def test_a_notebook_path_outside_the_home_is_refused_in_japanese(hub, cls, path):
    """Is a notebook path outside the trainee's home refused with a clear Japanese message, nothing stored?"""
    course, sa = cls["course"], cls["sa"]
    r = console.post(sa, hub, course, "help", {"notebook": path, "note": "x"})
    assert r.status_code == 400
    assert "ノートブックの場所が正しくありません" in r.text
    assert _requests(sa, hub, course) == []


def test_html_in_an_announcement_is_shown_as_text_to_its_cohort_only(hub, cls):
    """Is an announcement with HTML/script shown escaped to the trainee of its 期, and not to another 期?"""
    course, sa, sb, teacher = cls["course"], cls["sa"], cls["sb"], cls["teacher"]
    body = '<script>alert("x")</script><b>1期の皆さん</b>'
    r = console.post(teacher, hub, course, "announcements", {"body": body, "cohort": "1期"}, page="announcements")
    assert r.status_code == 303, r.text[:300]
    page = sa.get(console.url(hub, course, "announcements"), timeout=30).text
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;b&gt;1期の皆さん&lt;/b&gt;" in page
    assert "<script>" not in page and "1期 の皆さんへ" in page
    embed = sa.get(console.url(hub, course, "announcements/embed"), timeout=30).text
    assert "&lt;script&gt;" in embed and "<script>" not in embed
    assert [
        x["body"] for x in sa.get(console.url(hub, course, "api/announcements"), timeout=30).json()["announcements"]
    ][:1] == [body]
    assert body not in sb.get(console.url(hub, course, "announcements"), timeout=30).text
    assert all(x["body"] != body for x in sb.get(console.url(hub, course, "api/announcements")).json()["announcements"])


def test_only_instructors_post_announcements_and_bad_ones_are_refused(hub, cls):
    course, sa, teacher = cls["course"], cls["sa"], cls["teacher"]
    r = console.post(sa, hub, course, "announcements", {"body": "いたずら"})  # xsrf from the help form
    assert r.status_code == 403
    r = console.post(teacher, hub, course, "announcements", {"body": "x", "cohort": "99期"}, page="announcements")
    assert r.status_code == 400 and "名簿にありません" in r.text
    r = console.post(teacher, hub, course, "announcements", {"body": "  "}, page="announcements")
    assert r.status_code == 400 and "本文を入力" in r.text


def test_jupyterlab_news_feed_carries_the_trainees_announcements(hub, cls, stack_config):
    """Does the Atom feed (JupyterLab's news) answer the trainee's own token with their announcements only, and
    refuse anyone without a token?"""
    course, a, teacher = cls["course"], cls["a"], cls["teacher"]
    console.post(teacher, hub, course, "announcements", {"body": "全員へのお知らせ\n本文です"}, page="announcements")
    feed = console.url(hub, course, "announcements.atom")
    assert requests.get(feed, timeout=30).status_code == 401
    token = hub.user_token(a)
    r = requests.get(feed, auth=(a, token), timeout=30)
    assert r.status_code == 200 and "application/atom+xml" in r.headers["Content-Type"]
    assert "全員へのお知らせ" in r.text and "本文です" in r.text


def test_only_instructors_withdraw_an_announcement_and_it_is_gone_for_everyone(hub, cls):
    """Is a trainee refused (403) withdrawing an announcement, while the instructor's withdrawal removes it from the
    page, the embed, the API and the JupyterLab feed; and is an unknown one a 404 in Japanese?"""
    course, a, sa, teacher = cls["course"], cls["a"], cls["sa"], cls["teacher"]
    body = "取り下げる予定のお知らせ"
    console.post(teacher, hub, course, "announcements", {"body": body}, page="announcements")
    [item] = [
        x for x in sa.get(console.url(hub, course, "api/announcements")).json()["announcements"] if x["body"] == body
    ]
    r = console.post(sa, hub, course, f"announcements/{item['id']}/delete", {})
    assert r.status_code == 403 and "講師だけ" in r.text
    assert "/delete" not in sa.get(console.url(hub, course, "announcements"), timeout=30).text  # no button
    r = console.post(teacher, hub, course, f"announcements/{item['id']}/delete", {}, page="announcements")
    assert r.status_code == 303 and r.headers["Location"].endswith("announcements?ok=withdrawn")
    for session in (sa, teacher):
        assert body not in session.get(console.url(hub, course, "announcements"), timeout=30).text
        assert body not in session.get(console.url(hub, course, "announcements/embed"), timeout=30).text
    feed = requests.get(console.url(hub, course, "announcements.atom"), auth=(a, hub.user_token(a)), timeout=30)
    assert feed.status_code == 200 and body not in feed.text
    r = console.post(teacher, hub, course, f"announcements/{item['id']}/delete", {}, page="announcements")
    assert r.status_code == 404 and "見つかりません" in r.text
