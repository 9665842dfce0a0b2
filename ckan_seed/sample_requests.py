"""Sample data requests (データ公開の要望) for the training catalogue: what outsiders typically ask the city for.

Three fictional requesters, each with their own CKAN account (a long random password nobody keeps: they
never sign in), file one request each through ``testbed_request_create`` with a short-lived API token, so the
request is theirs as a self-registered requester's would be:

- a logistics company asks 危機管理課 for 指定緊急避難場所 in GeoJSON (left open: trainees answer it);
- a civic-tech group asks 子ども未来部 for 保育施設 vacancies every week (left open);
- a resident asks 福祉部 for the list of people needing help in an evacuation, which cannot be met because it
  is personal data: closed 対応不可 with the reason and an explanation.

``seed_sample_requests`` is idempotent: a request whose title is already in CKAN is left alone (so an admin's
later changes survive), and an existing requester account is reused.

For the role-play (course module 08_yobo), every trainee gets **training copies** of two of them in their own
sandbox (``ensure_training_requests``, called when the trainee's CKAN side is provisioned): the GeoJSON request,
which can be met, and the personal-data request, still open. The admin client files each copy in one call on
behalf of the same fictional requester, routed straight to the sandbox (``testbed_request_create`` with
``requester``, sysadmins only), so the trainee, an editor of their sandbox, can discuss and close it, nobody but
those involved sees it, and only the trainee is notified: never the coordinators (a copy filed to no department
first would tell every coordinator, once per copy and trainee), nor the fictional requester.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Any

from testbed_config.ckan_client import CkanClient


@dataclass(frozen=True)
class SampleRequest:
    requester: str  # CKAN user name of the fictional requester
    requester_title: str  # shown as the account's full name
    fields: dict[str, str]  # testbed_request_create's fields
    close: dict[str, str] = field(default_factory=dict)  # testbed_request_close's fields, if closed


SAMPLES = (
    SampleRequest(
        requester="sample-midorino-butsuryu",
        requester_title="みどり野物流株式会社 (架空)",
        fields={
            "title": "指定緊急避難場所の一覧を GeoJSON で公開してほしい",
            "description": "避難場所ごとの位置 (緯度・経度)、対応する災害の種別、収容人数。CSV は公開されていますが、"
            "地図アプリにそのまま読み込める GeoJSON がほしいです。",
            "purpose": "災害時の配送ルートと救援物資の集積場所を計画するため",
            "data_format": "GeoJSON",
            "area": "市内全域",
            "organization": "kikikanri-ka",
        },
    ),
    SampleRequest(
        requester="sample-code-for-midorino",
        requester_title="シビックテックみどり野 (架空の団体)",
        fields={
            "title": "保育施設の空き状況を毎週公開してほしい",
            "description": "保育所・認定こども園ごとの、年齢クラス別の空き人数。いまは月1回 PDF で掲載されていますが、"
            "毎週更新の CSV (施設 ID と更新日付き) で公開してほしいです。",
            "purpose": "保護者が通える範囲の空きを地図で探せるアプリを作るため",
            "data_format": "CSV",
            "area": "市内全域",
            "organization": "kodomo-mirai-bu",
        },
    ),
    SampleRequest(
        requester="sample-shimin-midorino",
        requester_title="市民 (架空)",
        fields={
            "title": "避難行動要支援者名簿を公開してほしい",
            "description": "地区ごとに、避難のときに手助けが必要な人の氏名・住所・必要な支援の内容。",
            "purpose": "町内会の見守りと避難訓練に使いたい",
            "data_format": "Excel",
            "area": "中央地区",
            "organization": "fukushi-bu",
        },
        close={
            "resolution": "rejected",
            "reason": "personal_data",
            "note": "避難行動要支援者名簿は氏名・住所・心身の状況を含む個人情報で、災害対策基本法に基づき、"
            "本人の同意を得た範囲で避難支援等関係者 (自主防災組織など) にだけ提供されます。オープンデータとしては"
            "公開できません。町内会として名簿の提供を受けるには福祉部にご相談ください。地区ごとの人数 (集計値) で"
            "あれば公開を検討できますので、別の要望としてお寄せください。",
        },
    ),
)


TRAINING_MARK = "【研修】"  # training copies' titles start with it (never the same title as a city request)
ROLEPLAY = tuple(
    SampleRequest(
        requester=s.requester,
        requester_title=s.requester_title,
        fields={**{k: v for k, v in s.fields.items() if k != "organization"}, "title": TRAINING_MARK + title},
    )
    for s, title in ((SAMPLES[0], SAMPLES[0].fields["title"]), (SAMPLES[2], SAMPLES[2].fields["title"]))
)
ROLEPLAY_MEETABLE, ROLEPLAY_PERSONAL = (r.fields["title"] for r in ROLEPLAY)


def _existing(admin: CkanClient, title: str) -> dict[str, Any] | None:
    found = admin.call("testbed_request_list", q=title, limit=100)["results"]
    return next((r for r in found if r["title"] == title), None)


def _ensure_requester(admin: CkanClient, sample: SampleRequest) -> None:
    if admin.show("user_show", id=sample.requester) is None:
        admin.call(
            "user_create",
            name=sample.requester,
            fullname=sample.requester_title,
            email=f"{sample.requester}@example.invalid",
            password=secrets.token_urlsafe(32),  # never kept: the account only owns its sample request
        )


def _file_as(admin: CkanClient, sample: SampleRequest) -> dict[str, Any]:
    """File the sample request as its requester, with an API token revoked right after."""
    token = admin.call("api_token_create", user=sample.requester, name="sample-request")
    try:
        own = CkanClient(admin.url, token["token"], timeout=admin.timeout)
        return own.call("testbed_request_create", **sample.fields)
    finally:
        admin.call("api_token_revoke", token=token["token"])


def seed_sample_requests(admin: CkanClient, samples=SAMPLES, log=print) -> list[str]:
    """File (and close, where the sample is closed) every sample request not yet in CKAN; the titles filed.
    A sample filed earlier but not closed (an interrupted run) is closed now."""
    filed = []
    for sample in samples:
        title = sample.fields["title"]
        request = _existing(admin, title)
        if request is None:
            _ensure_requester(admin, sample)
            request = _file_as(admin, sample)
            log(f"サンプルの要望「{title}」を登録しました")
            filed.append(title)
        if sample.close and request["status"] != "closed":
            admin.call("testbed_request_close", id=request["id"], **sample.close)
    return filed


def remove_sample_requests(admin: CkanClient, samples=SAMPLES) -> None:
    """Delete the sample requests and their requesters' accounts (tests)."""
    for sample in samples:
        for r in admin.call("testbed_request_list", q=sample.fields["title"], limit=100)["results"]:
            if r["title"] == sample.fields["title"]:
                admin.call("testbed_request_delete", id=r["id"])
        if admin.show("user_show", id=sample.requester) is not None:
            admin.call("user_delete", id=sample.requester)


def _in_org(admin: CkanClient, org: str) -> list[dict[str, Any]]:
    return admin.call("testbed_request_list", organization=org, limit=100)["results"]


def ensure_training_requests(admin: CkanClient, org: str, samples=ROLEPLAY) -> list[str]:
    """Training copies of ``samples`` routed to the sandbox ``org`` (idempotent: a copy already there, open or
    closed, is left alone); the titles filed now."""
    have = {r["title"] for r in _in_org(admin, org)}
    filed = []
    for sample in samples:
        if sample.fields["title"] in have:
            continue
        _ensure_requester(admin, sample)
        admin.call("testbed_request_create", **sample.fields, organization=org, requester=sample.requester)
        filed.append(sample.fields["title"])
    return filed


def remove_training_requests(admin: CkanClient, org: str) -> int:
    """Delete every request routed to the sandbox ``org`` (before the sandbox goes: a purged organisation would
    leave its requests without one, visible to all); how many."""
    found = admin.show("organization_show", id=org)
    if found is None or found.get("state") != "active":
        return 0
    found = _in_org(admin, org)
    for r in found:
        admin.call("testbed_request_delete", id=r["id"])
    return len(found)
