"""Sample use cases (利活用事例) for the training catalogue: what the city's open data is typically used for.

Each is registered through ``testbed_usecase_create`` by the account that would register it, with a short-lived
API token, so the use case is theirs: a civic-tech group's evacuation map (the same fictional group that asks
for 保育施設 vacancies in ``sample_requests.py``), a parents' group's childcare app, and the environment
department's own report (registered by the catalogue's admin account, as city staff would). Links point to
reserved example domains: nothing real is promised.

``seed_sample_usecases`` is idempotent: a use case whose title is already in CKAN is left alone (so an admin's
later changes survive), and an existing account is reused.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from testbed_config.ckan_client import CkanClient


@dataclass(frozen=True)
class SampleUseCase:
    account: str | None  # CKAN user name of the fictional registrant; None: the admin account (city staff)
    account_title: str  # shown as the account's full name
    fields: dict[str, Any]  # testbed_usecase_create's fields


SAMPLES = (
    SampleUseCase(
        account="sample-code-for-midorino",
        account_title="シビックテックみどり野 (架空の団体)",
        fields={
            "title": "みどり野避難所マップ",
            "kind": "map",
            "description": "市の指定緊急避難場所を地図で探せるウェブアプリです。現在地から近い順に並べ、"
            "洪水・土砂災害・地震など災害の種別ごとに使える避難場所だけを表示できます。町丁目境界と重ねて、"
            "自分の地区の避難場所も確認できます。月1回、市のオープンデータを取り込み直しています。",
            "author": "シビックテックみどり野",
            "url": "https://hinan-map.example.org/midorino/",
            "datasets": ["midorino-evacuation-sites", "midorino-districts"],
        },
    ),
    SampleUseCase(
        account="sample-kosodate-lab",
        account_title="みどり野子育てラボ (架空の団体)",
        fields={
            "title": "保育施設の空き状況アプリ「ほいくさがし みどり野」",
            "kind": "app",
            "description": "子育て施設一覧の位置・定員・開所時間をもとに、保護者が通える範囲の保育所・認定こども園を"
            "探せるスマートフォン向けアプリです。空き状況は各園が掲載する PDF から手作業で転記しているため、"
            "市に毎週の CSV での公開を要望しています。地域・年齢別人口から、0〜2 歳児の多い地区も表示します。",
            "author": "みどり野子育てラボ",
            "url": "https://hoiku.example.org/midorino/",
            "datasets": ["midorino-childcare-facilities", "midorino-population-by-area-age"],
        },
    ),
    SampleUseCase(
        account=None,
        account_title="",
        fields={
            "title": "ごみ排出量の見える化レポート (令和6年度)",
            "kind": "report",
            "description": "月別・種別のごみ排出量を前年度と比べたレポートです。地区別人口で割った 1 人 1 日あたりの"
            "排出量をグラフにし、分別の呼びかけやごみ減量の目標づくりに使っています。庁内の会議資料をもとに、"
            "市のウェブサイトで公開しています。",
            "author": "環境部 ごみ対策課",
            "url": "https://www.city.midorino.example.jp/kankyo/gomi-report/",
            "datasets": ["midorino-waste", "midorino-population-by-area-age"],
        },
    ),
)


def _existing(admin: CkanClient, title: str) -> dict[str, Any] | None:
    found = admin.call("testbed_usecase_list", q=title, practice="include", limit=100)["results"]
    return next((u for u in found if u["title"] == title), None)


def _ensure_account(admin: CkanClient, sample: SampleUseCase) -> None:
    if sample.account and admin.show("user_show", id=sample.account) is None:
        admin.call(
            "user_create",
            name=sample.account,
            fullname=sample.account_title,
            email=f"{sample.account}@example.invalid",
            password=secrets.token_urlsafe(32),  # never kept: the account only owns its sample
        )


def _register_as(admin: CkanClient, sample: SampleUseCase) -> dict[str, Any]:
    """Register the sample as its account, with an API token revoked right after (the admin's own: directly)."""
    if sample.account is None:
        return admin.call("testbed_usecase_create", **sample.fields)
    token = admin.call("api_token_create", user=sample.account, name="sample-usecase")
    try:
        own = CkanClient(admin.url, token["token"], timeout=admin.timeout)
        return own.call("testbed_usecase_create", **sample.fields)
    finally:
        admin.call("api_token_revoke", token=token["token"])


def seed_sample_usecases(admin: CkanClient, samples=SAMPLES, log=print) -> list[str]:
    """Register every sample use case not yet in CKAN; the titles registered."""
    registered = []
    for sample in samples:
        title = sample.fields["title"]
        if _existing(admin, title) is None:
            _ensure_account(admin, sample)
            _register_as(admin, sample)
            log(f"サンプルの利活用事例「{title}」を登録しました")
            registered.append(title)
    return registered


def remove_sample_usecases(admin: CkanClient, samples=SAMPLES, keep_accounts=()) -> None:
    """Delete the sample use cases and their accounts, except those in ``keep_accounts`` (tests)."""
    for sample in samples:
        for u in admin.call("testbed_usecase_list", q=sample.fields["title"], practice="include", limit=100)["results"]:
            if u["title"] == sample.fields["title"]:
                admin.call("testbed_usecase_delete", id=u["id"])
        if sample.account and sample.account not in keep_accounts and admin.show("user_show", id=sample.account):
            admin.call("user_delete", id=sample.account)
