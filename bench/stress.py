"""The PDF stress corpus: generated briefs built to PDF, counting failures, lost notes and
fallbacks (run on demand; tests/test_stress.py builds a small seeded subset).

    .venv/bin/python bench/stress.py               # 500 briefs, about 20 minutes
    .venv/bin/python bench/stress.py --count 20 --seed 7 --keep out/stress

Each brief is drawn from its seed alone: its language and script (Latin, Cyrillic, CJK,
Arabic, Hebrew; left to right and right to left), its edition (analyst, executive, public,
compare) and note mode (footnotes, endnotes), paragraphs long and short with 0 to 8
citations each, notes of 1 to 150 words and 1 to 40 contested facts.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))


def _vocabulary(words: str) -> list[str]:
    return words.split()


EDITIONS = ("analyst", "executive", "public", "compare")
NOTES = ("footnotes", "endnotes")

WORDS = {
    "en": _vocabulary(
        "the border trade treaty river memory survey region ministry report figures "
        "growth shipping policy claim settlement dispute archive evidence decline share "
        "customs energy navigation island commission minority rural online decade "
        "question account"
    ),
    "ru": _vocabulary(
        "граница торговля договор река память опрос регион министерство доклад данные "
        "рост судоходство политика спор архив свидетельство доля таможня энергия остров "
        "комиссия меньшинство десятилетие вопрос оценка переговоры население"
    ),
    "zh-Hans": _vocabulary(
        "边境 贸易 条约 河流 记忆 调查 地区 部门 报告 数据 增长 航运 "
        "政策 争议 档案 证据 下降 比例 海关 能源 岛屿 委员会 少数 农村 "
        "网络 十年 问题 评估"
    ),
    "ar": _vocabulary(
        "الحدود التجارة المعاهدة النهر الذاكرة المسح المنطقة الوزارة التقرير الأرقام "
        "النمو الملاحة السياسة النزاع الأرشيف الأدلة الانخفاض الحصة الجمارك الطاقة "
        "الجزيرة اللجنة الأقلية الريف العقد السؤال"
    ),
    "he": _vocabulary(
        "הגבול המסחר האמנה הנהר הזיכרון הסקר האזור המשרד הדוח הנתונים הצמיחה הספנות "
        "המדיניות הסכסוך הארכיון הראיות הירידה החלק המכס האנרגיה האי הוועדה המיעוט הכפר "
        "העשור השאלה"
    ),
}
STOP = {"en": ".", "ru": ".", "zh-Hans": "。", "ar": ".", "he": "."}
SPACE = {"zh-Hans": ""}
LOCATORS = ("p. 4", "pp. 12-14", "para. 6", "chap. 3", "p. 117", "")
TYPES = ("book", "report", "article-journal", "article-newspaper", "webpage")


def words(rng: random.Random, lang: str, n: int) -> str:
    return SPACE.get(lang, " ").join(rng.choice(WORDS[lang]) for _ in range(max(n, 1)))


def note_words(rng: random.Random) -> int:
    """Words a note adds to its citation: mostly short, a fifth long (up to ~150 in all)."""
    return rng.choice([0, 0, 0, 2, 5, 10, 20]) if rng.random() < 0.8 else rng.randint(40, 140)


def citation(rng: random.Random, lang: str, keys: list[str]) -> str:
    extra = note_words(rng)
    prefix = words(rng, lang, extra) + " " if extra else ""
    key = rng.choice(keys)
    locator = rng.choice(LOCATORS)
    cite = f"{prefix}@{key}" + (f", {locator}" if locator else "")
    if rng.random() < 0.1:  # two sources in one note
        cite += f"; @{rng.choice(keys)}"
    return f"[{cite}]"


def paragraph(rng: random.Random, lang: str, keys: list[str], long: bool | None = None) -> str:
    long = rng.random() < 0.3 if long is None else long
    sentences = rng.randint(5, 14) if long else rng.randint(1, 2)
    cites = rng.choice([0, 0, 1, 1, 1, 2, 2, 3, 4, 5, 8]) if long else rng.randint(0, 3)
    where = Counter(rng.randrange(sentences) for _ in range(cites))
    out = []
    for i in range(sentences):
        text = words(rng, lang, rng.randint(4, 18))
        text = text[:1].upper() + text[1:]
        out.append(text + "".join(" " + citation(rng, lang, keys) for _ in range(where[i])))
    sep = STOP[lang] + SPACE.get(lang, " ")
    return sep.join(out) + STOP[lang]


def reference(rng: random.Random, lang: str, i: int) -> dict[str, Any]:
    kind = rng.choice(TYPES)
    ref: dict[str, Any] = {
        "id": f"s{i}",
        "type": kind,
        "title": words(rng, lang, rng.randint(2, 12)),
        "author": [{"family": words(rng, lang, 1), "given": words(rng, lang, 1)}],
        "issued": rng.randint(1990, 2026),
    }
    if kind in ("article-journal", "article-newspaper", "webpage"):
        ref["container-title"] = words(rng, lang, rng.randint(1, 4))
    else:
        ref["publisher"] = words(rng, lang, rng.randint(1, 4))
    return ref


@dataclass
class Case:
    """One generated brief and how to build it."""

    seed: int
    lang: str
    edition: str
    notes: str
    text: str
    facts: dict[str, Any] = field(default_factory=dict)


def generate(seed: int) -> Case:
    """The brief drawn from `seed` (the same seed always gives the same brief)."""
    rng = random.Random(seed)
    lang = rng.choice(("en", "en", "ru", "zh-Hans", "ar", "he"))
    edition = EDITIONS[seed % len(EDITIONS)]
    notes = NOTES[(seed // len(EDITIONS)) % len(NOTES)]
    keys = [f"s{i}" for i in range(rng.randint(2, 12))]

    def para(long: bool | None = None) -> str:
        return paragraph(rng, lang, keys, long)

    def paras(low: int, high: int) -> str:
        return "\n\n".join(para() for _ in range(rng.randint(low, high)))

    small = edition == "executive"  # two pages at most: a brief meant for it is short
    n_views = rng.randint(2, 3 if small else 4)
    views = [
        {
            "id": f"v{i}",
            "label": words(rng, lang, rng.randint(1, 3)),
            "thesis": para(False),
            **({"summary": para(False)} if rng.random() < 0.4 else {}),
            "arguments": [para() for _ in range(rng.randint(1, 1 if small else 3))],
            "counterpoints": [para(False) for _ in range(rng.randint(0, 1 if small else 2))],
        }
        for i in range(n_views)
    ]
    rows = 1 if small else rng.choice([1, 1, 2, 2, 3, 4, 6, 10, 20, 40])
    contested = [
        {
            "point": words(rng, lang, rng.randint(2, 8)),
            "accounts": [para(False) for _ in range(2)],
            "assessment": para(False),
        }
        for _ in range(rows)
    ]
    data: dict[str, Any] = {
        "brief": 1,
        "title": words(rng, lang, rng.randint(2, 7)),
        "question": words(rng, lang, rng.randint(4, 12)) + ("？" if lang == "zh-Hans" else "?"),
        "date": "2026-11-22",
        "language": lang,
        "references": [reference(rng, lang, i) for i in range(len(keys))],
        "summary": para(False) if small else paras(1, 3),
        "views": views,
        "contested": contested,
        "judgments": [
            {
                "text": para(False),
                "likelihood": rng.choice(("likely", "unlikely", "roughly even chance")),
                "confidence": rng.choice(("low", "moderate", "high")),
            }
            for _ in range(rng.randint(1, 2 if small else 4))
        ],
        "audience": edition,
        "audiences": {edition: {"notes": notes}},
    }
    if not small:
        data["background"] = paras(1, 3)
        data["implications"] = para()
        data["timeline"] = [
            {"date": rng.randint(1900, 2026), "event": para(False)}
            for _ in range(rng.randint(0, 6))
        ]
    text = json.dumps(data, ensure_ascii=False, indent=1)  # JSON is YAML
    facts = {"views": n_views, "contested": rows}
    return Case(seed, lang, edition, notes, text, facts)


@dataclass
class Result:
    seed: int
    lang: str
    edition: str
    notes: str
    ok: bool
    pages: int = 0
    count: int = 0
    seconds: float = 0.0
    error: str = ""
    fallbacks: list[str] = field(default_factory=list)
    over_limit: bool = False


def run(case: Case, folder: Path) -> Result:
    """Build one case's PDF into `folder`; what happened."""
    from counterpoint import build
    from counterpoint.errors import CounterpointError
    from counterpoint.publish import pdf
    from counterpoint.publish.pdf import TooLong

    FALLBACK_WARNING = getattr(pdf, "FALLBACK_WARNING", "fallback")

    path = folder / f"stress-{case.seed}.yaml"
    path.write_text(case.text, encoding="utf-8")
    result = Result(case.seed, case.lang, case.edition, case.notes, ok=False)
    started = time.perf_counter()
    try:
        (output,) = build(path, folder / "out", formats=["pdf"], force=True)
    except TooLong as exc:
        result.error, result.over_limit = str(exc), True
    except CounterpointError as exc:
        result.error = str(exc)
    else:
        result.ok, result.pages, result.count = True, output.pages or 0, output.notes
        result.fallbacks = [w for w in output.warnings if FALLBACK_WARNING in w]
    result.seconds = time.perf_counter() - started
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=500)
    parser.add_argument("--seed", type=int, default=0, help="the first brief's seed")
    parser.add_argument("--keep", type=Path, help="write the briefs and PDFs here")
    parser.add_argument("--json", type=Path, help="write every result here")
    args = parser.parse_args()
    import logging

    logging.getLogger("counterpoint").setLevel(logging.ERROR)
    results: list[Result] = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        for seed in range(args.seed, args.seed + args.count):
            r = run(generate(seed), folder)
            results.append(r)
            state = "ok" if r.ok else ("over limit" if r.over_limit else "FAILED")
            extra = f" fallback: {r.fallbacks[0][:100]}" if r.fallbacks else ""
            print(
                f"{seed:5d} {r.lang:7} {r.edition:9} {r.notes:9} {state:10} "
                f"{r.pages:3d} pp {r.count:4d} notes {r.seconds:5.1f} s"
                + (f"  {r.error[:300]}" if r.error else "")
                + extra,
                flush=True,
            )
    report(results)
    if args.json:
        args.json.write_text(json.dumps([r.__dict__ for r in results], ensure_ascii=False))


def report(results: list[Result]) -> None:
    built = [r for r in results if r.ok]
    failed = [r for r in results if not r.ok and not r.over_limit]
    lost = [r for r in failed if "lost in PDF layout" in r.error]
    over = [r for r in results if r.over_limit]
    fell = [r for r in built if r.fallbacks]
    print(
        f"\n{len(results)} briefs: {len(built)} PDFs ({sum(r.pages for r in built)} pages, "
        f"{sum(r.count for r in built)} notes), {len(failed)} failed "
        f"({len(lost)} with lost notes), {len(over)} over the executive page limit, "
        f"{len(fell)} needed a fallback"
    )
    by = Counter((r.edition, r.notes, r.ok or r.over_limit) for r in results)
    for (edition, notes, ok), n in sorted(by.items()):
        print(f"  {edition:9} {notes:9} {'ok' if ok else 'failed':6} {n}")
    endnotes = [r for r in fell if any("as endnotes" in f for f in r.fallbacks)]
    print(f"  laid out again: {len(fell)}; of those, PDFs with endnotes instead: {len(endnotes)}")
    for r in fell:
        print(f"    seed {r.seed} ({r.lang}, {r.edition}, {r.notes}): {len(r.fallbacks)} step(s)")
    times = sorted(r.seconds for r in results)
    if times:
        print(f"  time per brief: median {times[len(times) // 2]:.2f} s, max {times[-1]:.2f} s")


if __name__ == "__main__":
    main()
