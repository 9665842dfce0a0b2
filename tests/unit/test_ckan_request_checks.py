"""The role-play's request checks (grader/ckan_checks.py, kind ``request``) against a fake read-only CKAN:
spec parsing, and the verdicts for the ways a trainee answers a training copy of a data request. The grading step
that runs them (grader/ckan_step.py, needs nbgrader) is exercised by tests/integration/test_roleplay_grading.py."""

from __future__ import annotations

import pytest

from grader.ckan_checks import CkanSpec, RequestSpec, check_request, parse_spec

pytestmark = pytest.mark.unit

MEETABLE = "【研修】指定緊急避難場所の一覧を GeoJSON で公開してほしい"
PERSONAL = "【研修】避難行動要支援者名簿を公開してほしい"
STUDENT = "yamada"
ORG = "sandbox-yamada"


class FakeCkan:
    """What ``ReadOnlyCkan.action`` answers: one training copy in the sandbox and the datasets it may link."""

    def __init__(self, request: dict | None, datasets: dict[str, dict] | None = None):
        self.request, self.datasets, self.calls = request, datasets or {}, []

    def action(self, name, **params):
        self.calls.append(name)
        if name == "testbed_request_list":
            if self.request is None or params.get("organization") != ORG:
                return {"count": 0, "results": []}
            return {"count": 1, "results": [{"id": "r1", "title": self.request["title"]}]}
        if name == "testbed_request_show":
            return self.request
        if name == "package_show":
            return self.datasets.get(params["id"])
        raise AssertionError(f"unexpected action {name}")


def _request(title, status="closed", resolution=None, reason=None, dataset=None, dataset_hidden=None):
    labels = {"published": "公開済み", "partial": "一部対応", "rejected": "対応不可"}
    return {
        "id": "r1",
        "title": title,
        "status": status,
        "status_label": {"open": "受付中", "closed": "完了"}[status],
        "resolution": resolution,
        "resolution_label": labels.get(resolution or ""),
        "reason": reason,
        "reason_label": {"personal_data": "個人情報を含むため", "security": "安全や防犯に支障があるため"}.get(reason),
        "dataset": dataset,
        "dataset_hidden": dataset_hidden,
    }


def _dataset(name="sandbox-yamada-hinanbasho-geojson", org=ORG, private=False, resources=1):
    return {
        "id": "d1",
        "name": name,
        "state": "active",
        "private": private,
        "organization": {"name": org},
        "resources": [{"id": f"res{i}"} for i in range(resources)],
    }


MEET = RequestSpec(request=MEETABLE, expect="published")
REFUSE = RequestSpec(request=PERSONAL, expect="rejected", reason="personal_data")


def test_is_a_request_check_cell_parsed_with_the_self_check_after_it_left_out():
    """Does a cell with the mark, JSON comment lines and then a self-check give a RequestSpec, and an old dataset
    check still a CkanSpec?"""
    source = (
        "# testbed-ckan-check\n"
        f'# {{"request": "{PERSONAL}",\n'
        '#  "expect": "rejected", "reason": "personal_data"}\n'
        "q4.check()  # 自己チェック\n### BEGIN HIDDEN TESTS\ncheck(True, 'a', 'b')\n### END HIDDEN TESTS\n"
    )
    assert parse_spec(source) == REFUSE
    assert isinstance(parse_spec('# testbed-ckan-check\n# {"dataset": "{student}-aed"}'), CkanSpec)
    assert parse_spec("q4.check()") is None


def test_is_an_unknown_expectation_refused():
    """Is a spec expecting something other than published/rejected an error for the course author?"""
    with pytest.raises(ValueError, match="expect"):
        parse_spec(f'# testbed-ckan-check\n# {{"request": "{MEETABLE}", "expect": "partial"}}')


def test_does_a_request_closed_with_a_published_sandbox_dataset_pass():
    """Closed as 公開済み with a public dataset of the trainee's own sandbox that has a resource: no problem?"""
    ckan = FakeCkan(
        _request(MEETABLE, resolution="published", dataset={"id": "d1", "name": "sandbox-yamada-hinanbasho-geojson"}),
        {"d1": _dataset()},
    )
    assert check_request(ckan, MEET, STUDENT) == []


@pytest.mark.parametrize(
    ("request_", "datasets", "said"),
    [
        (_request(MEETABLE, status="open"), {}, "「公開済み」で完了になっていません (いまは「未完了」)"),
        (_request(MEETABLE, resolution="partial"), {}, "いまは「一部対応」"),
        (_request(MEETABLE, resolution="rejected", reason="security"), {}, "いまは「対応不可」"),
        (
            _request(MEETABLE, resolution="published", dataset_hidden="非公開"),
            {},
            "公開したデータセットが結び付いていません",
        ),
        (
            _request(MEETABLE, resolution="published", dataset={"id": "d1", "name": "x"}),
            {"d1": _dataset(name="x", private=True)},
            "公開されていません",
        ),
        (
            _request(MEETABLE, resolution="published", dataset={"id": "d1", "name": "x"}),
            {"d1": _dataset(name="x", org="kikikanri-ka")},
            "自分のサンドボックス (sandbox-yamada) のものではありません",
        ),
        (
            _request(MEETABLE, resolution="published", dataset={"id": "d1", "name": "x"}),
            {"d1": _dataset(name="x", resources=0)},
            "リソース (データファイル) がありません",
        ),
    ],
    ids=["open", "partial", "rejected", "hidden", "private", "other_org", "no_resource"],
)
def test_is_the_meetable_request_failed_unless_really_published(request_, datasets, said):
    """Closed without publishing, or linked to something that is not a public dataset of the sandbox with a file:
    does the check fail and say why in Japanese?"""
    problems = check_request(FakeCkan(request_, datasets), MEET, STUDENT)
    assert problems and said in "\n".join(problems), problems


def test_does_the_personal_data_request_rejected_for_personal_data_pass():
    """Closed as 対応不可 for personal data, nothing linked: no problem, and no dataset is even looked up?"""
    ckan = FakeCkan(_request(PERSONAL, resolution="rejected", reason="personal_data"))
    assert check_request(ckan, REFUSE, STUDENT) == []
    assert "package_show" not in ckan.calls


@pytest.mark.parametrize(
    "request_",
    [
        _request(PERSONAL, resolution="published", dataset={"id": "d9", "name": "sandbox-yamada-meibo"}),
        _request(PERSONAL, resolution="partial"),
        _request(PERSONAL, resolution="partial", dataset_hidden="非公開"),
    ],
    ids=["published", "partial", "partial_hidden_dataset"],
)
def test_is_publishing_for_the_personal_data_request_marked_down_with_the_reason(request_):
    """Published (or partly) for the personal-data request: does the check fail, saying personal data is not
    published?"""
    problems = check_request(FakeCkan(request_), REFUSE, STUDENT)
    assert len(problems) == 1 and "個人情報を含むデータは、オープンデータとして公開できません" in problems[0]


@pytest.mark.parametrize(
    ("request_", "said"),
    [
        (_request(PERSONAL, status="open"), "「対応不可」で完了になっていません (いまは「未完了」)"),
        (_request(PERSONAL, resolution="rejected", reason="security"), "理由が「個人情報を含むため」ではありません"),
    ],
    ids=["open", "other_reason"],
)
def test_is_the_personal_data_request_failed_when_left_open_or_refused_for_another_reason(request_, said):
    problems = check_request(FakeCkan(request_), REFUSE, STUDENT)
    assert problems and said in problems[0], problems


def test_is_a_missing_training_copy_reported_for_the_instructor():
    """No training copy in the sandbox (the grader's account cannot see it, or it was never made): does the check
    fail saying so, rather than pass?"""
    problems = check_request(FakeCkan(None), MEET, STUDENT)
    assert problems and "見つかりません" in problems[0] and "講師" in problems[0]
