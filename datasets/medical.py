"""医療機関一覧: three hospitals in and near the centre, clinics spread by population, dentists."""

from __future__ import annotations

from datasets import city, names
from datasets.world import World, head

HOSPITALS = [
    (
        "みどり野市民病院",
        "ミドリノシミンビョウイン",
        "本町二丁目",
        312,
        "みどり野市",
        "内科;外科;小児科;産婦人科;整形外科;眼科;耳鼻いんこう科;皮膚科;泌尿器科;救急科",
        "救急外来（24時間）",
    ),
    (
        "みどり野病院",
        "ミドリノビョウイン",
        "栄町",
        180,
        "医療法人みどり会",
        "内科;外科;整形外科;リハビリテーション科",
        "夜間・休日は当番日のみ対応",
    ),
    (
        "汐見リハビリテーション病院",
        "シオミリハビリテーションビョウイン",
        "汐見町",
        120,
        "医療法人しおみ会",
        "内科;リハビリテーション科",
        "対応なし",
    ),
]
_CLINIC_KINDS = [
    ("内科", "ナイカ", "内科;消化器内科"),
    ("内科", "ナイカ", "内科;循環器内科"),
    ("小児科", "ショウニカ", "小児科"),
    ("整形外科", "セイケイゲカ", "整形外科;リハビリテーション科"),
    ("眼科", "ガンカ", "眼科"),
    ("皮膚科", "ヒフカ", "皮膚科"),
    ("耳鼻科", "ジビカ", "耳鼻いんこう科"),
    ("歯科", "シカ", "歯科;小児歯科"),
]
_RURAL_CLINICS = {"奥谷": "オクダニ", "東浜": "ヒガシハマ", "大沢": "オオサワ"}


def medical_institutions(world: World) -> list[dict]:
    """Rows of the 医療機関一覧."""
    rng = world.rng("medical")
    rows: list[dict] = []

    def add(name, kana, kind, district, beds, corp, subjects, after_hours, days, start, end, note):
        i = len(rows) + 1
        loc = world.locate(f"medical_{i}", district)
        prefix = "993" if kind == "歯科診療所" else "991"
        rows.append(
            {
                **head(f"MI{i:03d}"),
                "名称": name,
                "名称_カナ": kana,
                "医療機関の種類": kind,
                **loc.columns(),
                "電話番号": city.phone(160000 + i * 11),
                "法人の名称": corp,
                "医療機関コード": f"{prefix}{1_000_000 + i * 73:07d}",
                "診療曜日": days,
                "診療開始時間": start,
                "診療終了時間": end,
                "診療日時特記事項": note,
                "時間外における対応": after_hours,
                "病床数": beds,
                "診療科目": subjects,
            }
        )

    for name, kana, district, beds, corp, subjects, after in HOSPITALS:
        add(
            name,
            kana,
            "病院",
            district,
            beds,
            corp,
            subjects,
            after,
            "月,火,水,木,金",
            "08:30",
            "17:00",
            "外来受付は11:30まで。土日祝日は休診（救急を除く）",
        )
    for district_name, kana in _RURAL_CLINICS.items():
        add(
            f"みどり野市国民健康保険{district_name}診療所",
            f"ミドリノシコクミンケンコウホケン{kana}シンリョウジョ",
            "診療所",
            district_name,
            "",
            "みどり野市",
            "内科",
            "対応なし",
            "月,火,水,金",
            "09:00",
            "16:00",
            "木曜日・土日祝日は休診",
        )
    for d in world.districts:
        count = world.population(d.town_id) // 1200
        for _ in range(count):
            family, family_kana = rng.choice(names.SURNAMES)
            label, label_kana, subjects = rng.choice(_CLINIC_KINDS)
            dental = label == "歯科"
            name = f"{family}{label}{'医院' if rng.random() < 0.3 else 'クリニック'}"
            kana = family_kana + label_kana + ("イイン" if name.endswith("医院") else "クリニック")
            if any(r["名称"] == name for r in rows):
                name, kana = f"{d.name}{name}", f"{d.kana}{kana}"
            beds = 19 if (label == "内科" and rng.random() < 0.15) else ""
            add(
                name,
                kana,
                "歯科診療所" if dental else "診療所",
                d.name,
                beds,
                "",
                subjects,
                "対応なし",
                "月,火,水,金,土",
                "09:00",
                "18:30",
                "木曜日午後・日曜日・祝日は休診。土曜日は13:00まで",
            )
    return rows
