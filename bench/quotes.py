"""Verified quotations: a generated corpus, and how the verdicts and the speed measure up.

    .venv/bin/python bench/quotes.py                 # 60 sources, about 700 quotations
    .venv/bin/python bench/quotes.py --seed 7 --sources 30

The corpus is made afresh from a seed: sources in English, French, German, Spanish,
Russian, Arabic, Chinese and Japanese, as text (hard-wrapped, hyphenated at line ends, with
ligatures), Markdown, HTML (with navigation, banners, footers and related links around the
article), PDF (laid out by WeasyPrint, some with roman page labels) and WARC files; and a
brief quoting them. Each quotation is benign (typography, whitespace, the first letter's
case, omissions and insertions that keep the meaning, or as written) or mutated in the
manner of FEVER (a word swapped, a negation added or dropped, a number changed, words
transposed, passages spliced, a meaning-changing omission, a wrong locator). A few sources
have no snapshot, a few a snapshot whose SHA-256 no longer matches. tests/test_quotes_corpus.py
runs a small seeded corpus of the same kind.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import random
import re
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

# -- words -------------------------------------------------------------------------------------
# subjects, verbs (a negated form beside each), objects, places; sentences are made from them
LANGS: dict[str, dict[str, list[str] | str]] = {
    "en": {
        "subj": ["The border commission", "Officials in Heihe", "The regional governor",
                 "Local traders", "The finance ministry", "Engineers on the bridge",
                 "The customs service", "Farmers along the river", "A delegation from Harbin",
                 "The railway company"],
        "verb": ["expanded", "financed", "inspected", "approved", "reported", "reviewed",
                 "questioned", "defined", "celebrated", "modified"],
        "neg": "did not",
        "obj": ["the new crossing", "the fishing quotas", "the official figures",
                "the joint patrols", "the timber exports", "the old treaty maps",
                "the grain shipments", "the ferry schedule", "the efficient office",
                "the flood defences"],
        "prep": "near",
        "place": ["Khabarovsk", "Blagoveshchensk", "the Ussuri", "Vladivostok", "Heihe",
                  "Fuyuan"],
        "num": "in {y}, with {n} percent more staff",
        "words": ["quietly", "formally", "openly", "slowly", "firmly", "finally"],
    },
    "fr": {
        "subj": ["La commission frontalière", "Les autorités de Heihe", "Le gouverneur régional",
                 "Les commerçants locaux", "Le ministère des finances", "Les ingénieurs du pont",
                 "Le service des douanes", "Les agriculteurs du fleuve"],
        "verb": ["a élargi", "a financé", "a inspecté", "a approuvé", "a signalé", "a révisé",
                 "a contesté", "a modifié"],
        "neg": "n'a pas",
        "obj": ["le nouveau passage", "les quotas de pêche", "les chiffres officiels",
                "les patrouilles communes", "les exportations de bois", "les anciennes cartes",
                "le calendrier du bac", "les digues"],
        "prep": "près de",
        "place": ["Khabarovsk", "Blagovechtchensk", "l'Oussouri", "Vladivostok"],
        "num": "en {y}, avec {n} pour cent de personnel en plus",
        "words": ["discrètement", "officiellement", "ouvertement", "lentement", "fermement"],
    },
    "de": {
        "subj": ["Die Grenzkommission", "Beamte in Heihe", "Der Gouverneur der Region",
                 "Örtliche Händler", "Das Finanzministerium", "Die Ingenieure der Brücke",
                 "Der Zolldienst", "Bauern am Fluss"],
        "verb": ["erweiterte", "finanzierte", "prüfte", "genehmigte", "meldete", "überarbeitete",
                 "bestritt", "änderte"],
        "neg": "nicht",
        "obj": ["den neuen Übergang", "die Fangquoten", "die amtlichen Zahlen",
                "die gemeinsamen Streifen", "die Holzausfuhren", "die alten Vertragskarten",
                "den Fährplan", "die Deiche"],
        "prep": "bei",
        "place": ["Chabarowsk", "Blagoweschtschensk", "dem Ussuri", "Wladiwostok"],
        "num": "im Jahr {y}, mit {n} Prozent mehr Personal",
        "words": ["leise", "förmlich", "offen", "langsam", "entschieden"],
    },
    "es": {
        "subj": ["La comisión fronteriza", "Los funcionarios de Heihe", "El gobernador regional",
                 "Los comerciantes locales", "El ministerio de finanzas",
                 "Los ingenieros del puente",
                 "El servicio de aduanas", "Los agricultores del río"],
        "verb": ["amplió", "financió", "inspeccionó", "aprobó", "informó", "revisó", "cuestionó",
                 "modificó"],
        "neg": "no",
        "obj": ["el nuevo paso", "las cuotas de pesca", "las cifras oficiales",
                "las patrullas conjuntas", "las exportaciones de madera", "los viejos mapas",
                "el horario del ferry", "los diques"],
        "prep": "cerca de",
        "place": ["Jabárovsk", "Blagovéshchensk", "el Ussuri", "Vladivostok"],
        "num": "en {y}, con un {n} por ciento más de personal",
        "words": ["discretamente", "formalmente", "abiertamente", "lentamente", "firmemente"],
    },
    "ru": {
        "subj": ["Пограничная комиссия", "Чиновники Хэйхэ", "Губернатор края",
                 "Местные торговцы", "Министерство финансов", "Инженеры моста",
                 "Таможенная служба", "Фермеры на реке"],
        "verb": ["расширила", "профинансировала", "проверила", "одобрила", "сообщила",
                 "пересмотрела", "оспорила", "изменила"],
        "neg": "не",
        "obj": ["новый переход", "квоты на рыбу", "официальные данные", "совместные патрули",
                "экспорт леса", "старые карты договора", "расписание парома", "дамбы"],
        "prep": "около",
        "place": ["Хабаровска", "Благовещенска", "Уссури", "Владивостока"],
        "num": "в {y} году, при штате больше на {n} процентов",
        "words": ["тихо", "официально", "открыто", "медленно", "твёрдо"],
    },
    "ar": {
        "subj": ["لجنة الحدود", "المسؤولون في هيهي", "حاكم المنطقة", "التجار المحليون",
                 "وزارة المالية", "مهندسو الجسر", "مصلحة الجمارك", "مزارعو النهر"],
        "verb": ["وسعت", "مولت", "فحصت", "وافقت على", "أعلنت", "راجعت", "عارضت", "عدلت"],
        "neg": "لم",
        "obj": ["المعبر الجديد", "حصص الصيد", "الأرقام الرسمية", "الدوريات المشتركة",
                "صادرات الخشب", "خرائط المعاهدة القديمة", "جدول العبارة", "السدود"],
        "prep": "قرب",
        "place": ["خاباروفسك", "بلاغوفيشتشينسك", "أوسوري", "فلاديفوستوك"],
        "num": "في عام {y} مع زيادة {n} بالمئة في الموظفين",
        "words": ["بهدوء", "رسميا", "علنا", "ببطء", "بحزم"],
    },
    "zh": {
        "subj": ["边境委员会", "黑河官员", "地区省长", "当地商人", "财政部", "大桥工程师",
                 "海关部门", "沿江农民"],
        "verb": ["扩大了", "资助了", "检查了", "批准了", "报告了", "审查了", "质疑了", "修改了"],
        "neg": "没有",
        "obj": ["新的口岸", "捕鱼配额", "官方数字", "联合巡逻", "木材出口", "旧条约地图",
                "渡轮时刻表", "防洪堤"],
        "prep": "在",
        "place": ["哈巴罗夫斯克", "布拉戈维申斯克", "乌苏里江", "海参崴"],
        "num": "于{y}年，人员增加了{n}%",
        "words": ["悄悄地", "正式地", "公开地", "缓慢地", "坚定地"],
    },
    "ja": {
        "subj": ["国境委員会は", "黒河の当局者は", "地方知事は", "地元の商人は", "財務省は",
                 "橋の技術者は", "税関は", "川沿いの農家は"],
        "verb": ["拡大した", "資金を出した", "検査した", "承認した", "報告した", "見直した",
                 "疑問視した", "修正した"],
        "neg": "しなかった",
        "obj": ["新しい通関所を", "漁獲枠を", "公式の数字を", "共同巡回を", "木材輸出を",
                "古い条約の地図を", "渡し船の時刻表を", "堤防を"],
        "prep": "で",
        "place": ["ハバロフスク", "ブラゴヴェシチェンスク", "ウスリー川", "ウラジオストク"],
        "num": "{y}年に職員を{n}%増やして",
        "words": ["静かに", "正式に", "公然と", "ゆっくりと", "断固として"],
    },
}  # fmt: skip
MARKS = {"en": "“”", "fr": "«»", "de": "„“", "es": "“”", "ru": "«»", "ar": "“”", "zh": "「」",
         "ja": "「」"}  # fmt: skip
CJK = ("zh", "ja")


def sentence(lang: str, rnd: random.Random, negated: bool) -> str:
    w = LANGS[lang]
    subj, verb, obj = rnd.choice(w["subj"]), rnd.choice(w["verb"]), rnd.choice(w["obj"])
    place = rnd.choice(w["place"])
    num = str(w["num"]).format(y=rnd.randint(1950, 2025), n=rnd.randint(2, 97))
    adv = rnd.choice(w["words"])
    neg = str(w["neg"])
    if lang == "zh":
        v = f"{neg}{verb.removesuffix('了')}" if negated else verb
        return f"{subj}{num}{adv}{prep_place(lang, place)}{v}{obj}。"
    if lang == "ja":
        v = verb.removesuffix("した") + neg if negated else verb
        return f"{subj}{num}{place}{w['prep']}{adv}{obj}{v}。"
    if lang == "en":
        v = verb
        if negated:
            v = f"{neg} " + {"expanded": "expand", "financed": "finance", "inspected": "inspect",
                             "approved": "approve", "reported": "report", "reviewed": "review",
                             "questioned": "question", "defined": "define",
                             "celebrated": "celebrate", "modified": "modify"}[verb]  # fmt: skip
    elif lang == "fr":
        v = f"{neg} {verb.removeprefix('a ')}" if negated else verb
    elif lang == "de":
        v = f"{verb} {adv} {neg}" if negated else f"{verb} {adv}"
        return f"{subj} {v} {obj} {w['prep']} {place} {num}."
    else:
        v = f"{neg} {verb}" if negated else verb
    return f"{subj} {adv} {v} {obj} {w['prep']} {place} {num}."


def prep_place(lang: str, place: str) -> str:
    return f"{LANGS[lang]['prep']}{place}"


# -- documents -------------------------------------------------------------------------------
@dataclass
class Doc:
    id: str
    lang: str
    kind: str  # txt, md, html, pdf, warc
    paras: list[str]
    pages: list[str] | None = None  # page label of each paragraph (PDF)
    page_texts: list[tuple[str, str]] | None = None  # each page's label and text (PDF)
    snapshot: str = "ok"  # ok, none, changed


def make_doc(n: int, lang: str, kind: str, rnd: random.Random) -> Doc:
    paras = []
    for _ in range(rnd.randint(6, 10)):
        k = rnd.randint(3, 5)
        paras.append(("" if lang in CJK else " ").join(
            sentence(lang, rnd, negated=rnd.random() < 0.35) for _ in range(k)))  # fmt: skip
    return Doc(f"src{n:03d}-{lang}", lang, kind, paras)


def _wrap(text: str, rnd: random.Random, width: int = 64) -> str:
    """Hard-wrap at `width`, hyphenating a long word at the line end now and then."""
    if not re.search(r"\s", text):
        return "\n".join(text[i : i + 30] for i in range(0, len(text), 30))  # CJK: line breaks
    lines, line = [], ""
    for word in text.split(" "):
        if line and len(line) + 1 + len(word) > width:
            if len(word) > 8 and word.isalpha() and rnd.random() < 0.5:
                cut = rnd.randint(3, len(word) - 3)
                lines.append(f"{line} {word[:cut]}-")
                line = word[cut:]
                continue
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    lines.append(line)
    return "\n".join(lines)


def _ligatures(text: str) -> str:
    return text.replace("fi", "ﬁ").replace("fl", "ﬂ").replace("ff", "ﬀ")


BOILER = {
    "nav": "<nav><a href='/'>Home</a> <a href='/world'>World</a> {decoy}</nav>",
    "header": "<header class='site-header'><div class='banner'>Subscribe. {decoy}</div></header>",
    "aside": "<aside class='related'><h2>Related</h2><ul><li><a>{decoy}</a></li></ul></aside>",
    "footer": "<footer><p>© 2026 The Border Review. {decoy}</p></footer>",
}  # fmt: skip


def html_of(doc: Doc, decoy: str) -> str:
    body = "".join(
        f"<li>{p}</li>" if i % 5 == 3 else f"<blockquote><p>{p}</p></blockquote>" if i % 7 == 5
        else f"<p>{p}</p>"
        for i, p in enumerate(doc.paras)
    )  # fmt: skip
    body = body.replace("<li>", "<ul><li>").replace("</li>", "</li></ul>")
    chrome = {k: v.format(decoy=decoy) for k, v in BOILER.items()}
    return (
        f"<!doctype html><html lang='{doc.lang}' dir='{'rtl' if doc.lang == 'ar' else 'ltr'}'>"
        f"<head><meta charset='utf-8'><title>{doc.id}"
        f"</title><script>var x = 1;</script></head><body>{chrome['header']}{chrome['nav']}"
        f"<main><article><h1>Report {doc.id}</h1>{body}</article>{chrome['aside']}</main>"
        f"{chrome['footer']}</body></html>"
    )


def write_doc(doc: Doc, folder: Path, rnd: random.Random, decoy: str) -> str:
    """The snapshot file's name (under folder); fills doc.pages for PDFs."""
    if doc.kind == "txt":
        name = f"{doc.id}.txt"
        text = f"Report {doc.id}\n\n" + "\n\n".join(_ligatures(_wrap(p, rnd)) for p in doc.paras)
        (folder / name).write_text(text + "\n", encoding="utf-8")
    elif doc.kind == "md":
        name = f"{doc.id}.md"
        text = f"# Report {doc.id}\n\n" + "\n\n".join(doc.paras)
        (folder / name).write_text(text + "\n", encoding="utf-8")
    elif doc.kind == "html":
        name = f"{doc.id}.html"
        (folder / name).write_text(html_of(doc, decoy), encoding="utf-8")
    elif doc.kind == "warc":
        from warcio.statusandheaders import StatusAndHeaders
        from warcio.warcwriter import WARCWriter

        name = f"{doc.id}.warc.gz"
        buf = io.BytesIO()
        writer = WARCWriter(buf, gzip=True)
        for url, body in ((f"https://example.org/{doc.id}/other", "<p>Another page.</p>"),
                          (f"https://example.org/{doc.id}", html_of(doc, decoy))):  # fmt: skip
            headers = StatusAndHeaders(
                "200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1"
            )
            payload = io.BytesIO(body.encode("utf-8"))
            record = writer.create_warc_record(
                url, "response", payload=payload, http_headers=headers
            )
            writer.write_record(record)
        (folder / name).write_bytes(buf.getvalue())
    else:  # pdf
        name = f"{doc.id}.pdf"
        (folder / name).write_bytes(pdf_of(doc, rnd))
    return name


def pdf_of(doc: Doc, rnd: random.Random) -> bytes:
    """WeasyPrint's PDF, three paragraphs a page, hyphenated; some with roman labels first."""
    import weasyprint
    from pypdf import PdfReader, PdfWriter

    per = 3
    pages = [doc.paras[i : i + per] for i in range(0, len(doc.paras), per)]
    html = "".join(
        "<section>" + "".join(f"<p>{p}</p>" for p in page) + "</section>" for page in pages
    )
    css = (
        "@page { size: A5; margin: 1.5cm } section { break-after: page } "
        "p { hyphens: auto; text-align: justify; font-family: 'DejaVu Serif', 'Noto Sans CJK SC', "
        "'WenQuanYi Micro Hei', 'Amiri', serif; font-size: 11pt }"
    )
    data = weasyprint.HTML(
        string=f"<html lang='{doc.lang}' dir='{'rtl' if doc.lang == 'ar' else 'ltr'}'>"
        f"<style>{css}</style>{html}</html>"
    ).write_pdf()
    reader = PdfReader(io.BytesIO(data))
    roman = rnd.random() < 0.5 and len(reader.pages) >= len(pages)
    writer = PdfWriter(clone_from=reader)
    labels = [str(i + 1) for i in range(len(reader.pages))]
    if roman:
        writer.set_page_label(0, 0, "/r")
        writer.set_page_label(1, len(reader.pages) - 1, "/D", start=1)
        labels = ["i"] + [str(i) for i in range(1, len(reader.pages))]
    out = io.BytesIO()
    writer.write(out)
    # the label of each paragraph: the page its first words are on (a section may run over)
    from counterpoint.audit.quotes.normal import lower, normalise
    from counterpoint.audit.quotes.pdftext import from_pdf

    doc.page_texts = [(b.page, lower(normalise(b.text))) for b in from_pdf(out.getvalue()).blocks]
    doc.pages = []
    for p in doc.paras:
        head = lower(normalise(p))[:25]
        at = next((n for n, (_, t) in enumerate(doc.page_texts) if head in t), 0)
        doc.pages.append(labels[at])
    return out.getvalue()


def pages_of(doc: Doc, quote: str) -> list[str]:
    """The labels of the pages a quotation's first words are on (or run onto)."""
    from counterpoint.audit.quotes.normal import lower, parts

    assert doc.page_texts is not None
    first = lower(parts(quote)[0][0].text)
    whole = [label for label, text in doc.page_texts if first in text]
    if whole:
        return whole
    # across a page break: the page that ends with its start, and the next one
    for n, (label, text) in enumerate(doc.page_texts):
        for cut in range(len(first) - 1, 3, -1):
            if text.endswith(first[:cut]) and n + 1 < len(doc.page_texts):
                return [label, doc.page_texts[n + 1][0]]
    return []


# -- quotations ----------------------------------------------------------------------------------
@dataclass
class Case:
    doc: Doc
    para: int  # 1-based
    quote: str
    kind: str  # benign:..., mutation:..., snapshot:...
    expect: str  # verified, flagged, wrong-locator, omission-review, no-snapshot, snapshot-changed
    locator: str = ""
    original: str = ""  # the passage a benign variant was made from


def _tokens(text: str, lang: str) -> list[str]:
    return list(text) if lang in CJK else text.split(" ")


def _join(tokens: list[str], lang: str) -> str:
    return ("" if lang in CJK else " ").join(tokens)


def _span(doc: Doc, para: int, rnd: random.Random, lo: int = 6, hi: int = 18) -> list[str]:
    """Words of one sentence, never starting right after a negation: a quotation that
    leaves out the "not" before its first word is not a faithful one (docs/quotes.md)."""
    sentences = re.split(r"(?<=[.。])\s*", doc.paras[para - 1])
    s = rnd.choice([x for x in sentences if x]).rstrip(".。")
    toks = _tokens(s, doc.lang)
    lo, hi = (lo * 2, hi * 2) if doc.lang in CJK else (lo, hi)
    n = min(len(toks), rnd.randint(lo, hi))
    neg = NEGATIONS[doc.lang]
    starts = [
        i for i in range(len(toks) - n + 1)
        if not (i and (toks[i - 1] in neg.split(" ") or toks[i - 1] in "不没"))
        and not (i + n < len(toks) and (toks[i + n] in neg.split(" ") or toks[i + n] in "不没"))
        and not (doc.lang == "ja" and _join(toks[i + n : i + n + 3], "ja").lstrip("し")
                 .startswith(("な", "ま", "ず")))
        # a writer quotes whole numbers: "957年" of "1957年" is a changed year
        and not (i and toks[i - 1].isdigit() and toks[i].isdigit())
        and not (i + n < len(toks) and toks[i + n - 1].isdigit() and toks[i + n].isdigit())
    ]  # fmt: skip
    start = rnd.choice(starts or [0])
    return toks[start : start + n]


NEGATIONS = {lang: str(w["neg"]) for lang, w in LANGS.items()}
BENIGN = ["as-is", "typography", "whitespace", "case", "omission", "insertion"]
MUTATIONS = ["word-swap", "negation-added", "negation-dropped", "number-changed",
             "transposition", "splice", "meaning-omission", "wrong-locator"]  # fmt: skip


def _locator(doc: Doc, para: int) -> str:
    if doc.kind == "pdf":
        assert doc.pages is not None
        return f"p. {doc.pages[para - 1]}"
    return f"para. {para}"


KEEP = {
    "en": {"not", "no", "never", "but", "only", "did"}, "fr": {"ne", "n'a", "pas", "mais"},
    "de": {"nicht", "kein", "aber", "nur"}, "es": {"no", "pero", "solo"},
    "ru": {"не", "но", "только"}, "ar": {"لم", "لا", "لكن", "فقط"},
    "zh": set("不没无未非但只"), "ja": set("なず"),
}  # fmt: skip
"""What the benchmark's harmless omissions never drop (its own list, not the checker's)."""


def harmless(tokens: list[str], lang: str) -> bool:
    return not any(re.search(r"\d", t) or t in KEEP[lang] for t in tokens)


def benign(doc: Doc, para: int, how: str, rnd: random.Random) -> tuple[str, str] | None:
    """A benign variant of a passage, and the passage."""
    toks = _span(doc, para, rnd)
    lang = doc.lang
    quote = original = _join(toks, lang)
    if how == "typography":
        quote = quote.replace("'", "’").replace(" - ", " – ")
        quote = quote.replace(" ", "\u00a0", 1) if lang not in CJK else quote
        if lang == "fr" and "'" not in quote:
            quote = quote.replace(" ", " \u202f", 1)
    elif how == "whitespace":
        if lang in CJK:
            quote = quote[: len(quote) // 2] + "\n" + quote[len(quote) // 2 :]
        else:
            quote = "  ".join(toks[:3]) + "\n   " + " ".join(toks[3:])
    elif how == "case":
        quote = quote[0].swapcase() + quote[1:]
    elif how == "omission":  # one to three words (characters) with no negation or number
        clean = [i for i in range(2, len(toks) - 4) if harmless(toks[i : i + 3], lang)]
        if not clean or len(toks) < 7:
            return None
        i = rnd.choice(clean)
        n = rnd.randint(1, 3)
        mark = rnd.choice([" … ", " ... ", " […] "]) if lang not in CJK else "……"
        quote = _join(toks[:i], lang) + mark + _join(toks[i + n :], lang)
    elif how == "insertion":
        if len(toks) < 4 or lang in CJK:
            return None
        i = rnd.randint(1, len(toks) - 2)
        if re.search(r"\d", toks[i]) or toks[i] in NEGATIONS[lang]:
            return None
        toks[i] = f"[{rnd.choice(list(LANGS[lang]['words']))}]"
        quote = _join(toks, lang)
    return quote, original


def mutate(doc: Doc, para: int, how: str, rnd: random.Random, other: Doc) -> str | None:
    lang = doc.lang
    toks = _span(doc, para, rnd)
    neg = NEGATIONS[lang]
    if how == "word-swap":
        pool = [
            w for w in LANGS[lang]["obj"] if _join(_tokens(w, lang), lang) not in _join(toks, lang)
        ]
        words = [i for i, t in enumerate(toks) if len(t) > 3 and not re.search(r"\d", t)]
        if lang in CJK:
            s = _join(toks, lang)
            for o in LANGS[lang]["obj"]:
                if o in s:
                    return s.replace(o, rnd.choice([p for p in LANGS[lang]["obj"] if p != o]), 1)
            return None
        if not words:
            return None
        i = rnd.choice(words)
        toks[i] = rnd.choice(pool).split(" ")[-1]
        if toks[i] == _span(doc, para, random.Random(0))[0]:
            return None
        return _join(toks, lang)
    if how == "negation-added":
        s = _join(toks, lang)
        if neg in s:
            return None
        if lang in CJK:
            i = rnd.randint(2, len(toks) - 2)
            return s[:i] + ("不" if lang == "zh" else "ない") + s[i:]
        i = rnd.randint(1, len(toks) - 1)
        return _join([*toks[:i], neg.split(" ")[-1] if lang != "fr" else "ne", *toks[i:]], lang)
    if how == "negation-dropped":
        s = _join(toks, lang)
        if neg not in s:
            return None
        out = s.replace(neg + ("" if lang in CJK else " "), "", 1)
        return out if out != s else None
    if how == "number-changed":
        s = _join(toks, lang)
        m = list(re.finditer(r"\d", s))
        if not m:
            return None
        d = rnd.choice(m)
        new = str((int(d.group(0)) + rnd.randint(1, 8)) % 10)
        return s[: d.start()] + new + s[d.end() :]
    if how == "transposition":
        if len(toks) < 4:
            return None
        i = rnd.randint(0, len(toks) - 2)
        if toks[i] == toks[i + 1]:
            return None
        toks[i], toks[i + 1] = toks[i + 1], toks[i]
        return _join(toks, lang)
    if how == "splice":
        o = _span(other, rnd.randint(1, len(other.paras)), rnd)
        half = len(toks) // 2
        return _join(toks[:half] + o[len(o) // 2 :], lang)
    if how == "meaning-omission":
        s = _join(toks, lang)
        targets = [m for m in re.finditer(re.escape(neg) + r"|\d+", s)]
        targets = [m for m in targets if m.start() > 3 and m.end() < len(s) - 3]
        if not targets:
            return None
        m = rnd.choice(targets)
        mark = " … " if lang not in CJK else "……"
        return s[: m.start()].rstrip() + mark + s[m.end() :].lstrip()
    if how == "wrong-locator":
        return _join(toks, lang)
    raise ValueError(how)


def occurrences(doc: Doc, quote: str) -> int:
    """How often a quotation (without its omissions) is in the document, as the check
    compares them."""
    from counterpoint.audit.quotes.normal import lower, normalise, parts

    text = lower(normalise(" ".join(doc.paras)))
    pieces, _, _ = parts(quote)
    if len(pieces) != 1:
        return int(all(lower(p.text) in text for p in pieces))
    return text.count(lower(pieces[0].text))


def build_corpus(
    root: Path, seed: int = 1, sources: int = 60, per_source: int = 12,
    kinds: tuple[str, ...] = ("txt", "md", "html", "pdf", "warc"),
    langs: tuple[str, ...] = tuple(LANGS),
) -> tuple[Path, list[Case]]:  # fmt: skip
    """Write a corpus (snapshots, records, brief) under root; the brief and its cases."""
    rnd = random.Random(seed)
    snaps = root / "seeds" / "snapshots"
    snaps.mkdir(parents=True)
    docs = [make_doc(n, langs[n % len(langs)], kinds[n % len(kinds)], rnd) for n in range(sources)]
    decoy_of = {}
    for n, doc in enumerate(docs):
        if n % 17 == 5:
            doc.snapshot = "none"
        elif n % 17 == 11:
            doc.snapshot = "changed"
    records = []
    for doc in docs:
        decoy = sentence(doc.lang, rnd, negated=False)
        decoy_of[doc.id] = decoy
        name = write_doc(doc, snaps, rnd, decoy)
        digest = hashlib.sha256((snaps / name).read_bytes()).hexdigest()
        record = {"id": doc.id, "type": "webpage", "title": f"Report {doc.id}",
                  "URL": f"https://example.org/{doc.id}", "language": doc.lang}  # fmt: skip
        if doc.snapshot != "none":
            record["snapshot"] = f"snapshots/{name}"
            record["snapshot-sha256"] = "0" * 64 if doc.snapshot == "changed" else digest
        records.append(record)
    (root / "seeds" / "sources.yaml").write_text(
        "references:\n" + "".join(f"  - {json.dumps(r, ensure_ascii=False)}\n" for r in records),
        encoding="utf-8",
    )
    cases: list[Case] = []
    for n, doc in enumerate(docs):
        for k in range(per_source):
            para = rnd.randint(1, len(doc.paras))
            if doc.snapshot != "ok":
                quote = _join(_span(doc, para, rnd), doc.lang)
                expect = "no-snapshot" if doc.snapshot == "none" else "snapshot-changed"
                cases.append(Case(doc, para, quote, f"snapshot:{doc.snapshot}", expect))
                continue
            if k % 2 == 0:
                how = BENIGN[(k // 2 + n) % len(BENIGN)]
                made = None
                for _ in range(6):  # a passage the document holds once: its place is known
                    made = benign(doc, para, how, rnd)
                    if made is not None and occurrences(doc, made[1]) == 1:
                        break
                    made = None
                if made is None:
                    how, quote = "as-is", _join(_span(doc, para, rnd), doc.lang)
                    made = (quote, quote)
                case = Case(doc, para, made[0], f"benign:{how}", "verified")
                case.original = made[1]
                cases.append(case)
            else:
                how = MUTATIONS[(k // 2 + n) % len(MUTATIONS)]
                other = docs[(n + 7) % len(docs)]
                quote = None
                for _ in range(12):
                    quote = mutate(doc, para, how, rnd, other)
                    found = quote is not None and occurrences(doc, quote)
                    if quote is not None and (found == 1 if how == "wrong-locator" else not found):
                        break  # a mutation the source has nowhere; a locator wrong everywhere
                    quote = None
                    para = rnd.randint(1, len(doc.paras))
                if quote is None:
                    continue
                expect = {"wrong-locator": "wrong-locator", "meaning-omission": "omission-review"}
                case = Case(doc, para, quote, f"mutation:{how}", expect.get(how, "flagged"))
                if how == "wrong-locator":
                    if doc.kind == "pdf":
                        assert doc.page_texts is not None
                        here = pages_of(doc, quote)
                        others = [lb for lb, _ in doc.page_texts if lb not in here]
                        if not others or not here:
                            continue
                        case.locator = f"p. {rnd.choice(others)}"
                    else:
                        choices = [p for p in range(1, len(doc.paras) + 1) if abs(p - para) >= 2]
                        if not choices:
                            continue
                        case.locator = _locator(doc, rnd.choice(choices))
                cases.append(case)
    for case in cases:
        if not case.locator and case.doc.kind == "pdf" and case.doc.page_texts:
            here = pages_of(case.doc, case.original or case.quote)
            case.locator = f"p. {here[0]}" if here else _locator(case.doc, case.para)
        case.locator = case.locator or _locator(case.doc, case.para)
    lines = [
        "brief: 1",
        "title: Quotation corpus",
        "question: Are the quotations right?",
        "date: 2026-12-01",
        "bibliography: [seeds]",
        "summary: A generated corpus (bench/quotes.py).",
        "views:",
    ]
    half = len(cases) // 2
    for v, chunk in (("a", cases[:half]), ("b", cases[half:])):
        lines += [
            f"  - id: {v}",
            f"    label: View {v}",
            f"    thesis: View {v}.",
            "    arguments:",
        ]
        for case in chunk:
            opening, closing = MARKS[case.doc.lang]
            text = f"{opening}{case.quote}{closing} [@{case.doc.id}, {case.locator}]."
            lines.append(f"      - {json.dumps(text, ensure_ascii=False)}")
    brief = root / "brief.yaml"
    brief.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return brief, cases


# -- measuring -----------------------------------------------------------------------------------
def score(cases: list[Case], verdicts: list[str]) -> dict[str, object]:
    assert len(cases) == len(verdicts), (len(cases), len(verdicts))
    out: dict[str, object] = {}

    def rate(selected: list[tuple[Case, str]], ok) -> str:
        good = sum(1 for c, v in selected if ok(c, v))
        return f"{good}/{len(selected)} ({100 * good / max(1, len(selected)):.1f}%)"

    pairs = list(zip(cases, verdicts, strict=True))
    benign_ = [(c, v) for c, v in pairs if c.kind.startswith("benign")]
    mutated = [(c, v) for c, v in pairs if c.kind.startswith("mutation")]
    out["benign verified"] = rate(benign_, lambda c, v: v == "verified")
    out["altered flagged"] = rate(mutated, lambda c, v: v != "verified")
    nn = [(c, v) for c, v in mutated if c.kind.split(":")[1] in
          ("number-changed", "negation-added", "negation-dropped")]  # fmt: skip
    out["numbers and negations flagged"] = rate(nn, lambda c, v: v != "verified")
    snap = [(c, v) for c, v in pairs if c.kind.startswith("snapshot")]
    out["no-snapshot and snapshot-changed"] = rate(snap, lambda c, v: v == c.expect)
    exact = [(c, v) for c, v in mutated if c.expect != "flagged"]
    out["wrong-locator and omission-review named"] = rate(exact, lambda c, v: v == c.expect)
    by_kind: dict[str, list[tuple[Case, str]]] = {}
    for c, v in pairs:
        by_kind.setdefault(c.kind, []).append((c, v))
    out["by case"] = {
        k: rate(v, lambda c, x: x == c.expect or (c.expect == "flagged" and x != "verified"))
        for k, v in sorted(by_kind.items())
    }
    by_type: dict[str, list[tuple[Case, str]]] = {}
    for c, v in benign_:
        by_type.setdefault(f"{c.doc.kind}/{c.doc.lang}", []).append((c, v))
    out["benign by file/language"] = {
        k: rate(v, lambda c, x: x == "verified") for k, v in sorted(by_type.items())
    }
    out["misses"] = [
        {"case": c.kind, "file": c.doc.kind, "lang": c.doc.lang, "quote": c.quote,
         "locator": c.locator, "got": v}
        for c, v in pairs
        if not (v == c.expect or (c.expect == "flagged" and v != "verified"))
    ][:40]  # fmt: skip
    return out


def audit_verdicts(brief: Path) -> list[str]:
    from counterpoint.pipeline.builder import audit

    return [q.verdict for q in audit(brief).quotations]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--sources", type=int, default=60)
    parser.add_argument("--per-source", type=int, default=12)
    parser.add_argument("--misses", action="store_true", help="list the cases got wrong")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        os.environ["XDG_CACHE_HOME"] = str(root / "cache")
        started = time.perf_counter()
        brief, cases = build_corpus(root / "corpus", args.seed, args.sources, args.per_source)
        made = time.perf_counter() - started
        print(f"corpus: {len(cases)} quotations over {args.sources} sources ({made:.1f} s to make)")
        verdicts = audit_verdicts(brief)
        result = score(cases, verdicts)
        misses = result.pop("misses")
        print(json.dumps(result, indent=2, ensure_ascii=False))
        if args.misses:
            print(json.dumps(misses, indent=2, ensure_ascii=False))
        speed(root, args.seed)


def speed(root: Path, seed: int) -> None:
    """About 200 quotations over 50 sources: the audit with an empty cache, a warm one, and after
    editing one quotation (how many quotations were matched again)."""
    import subprocess

    brief, cases = build_corpus(root / "speed", seed, sources=50, per_source=5)
    import shutil
    import statistics

    cache = root / "speed-cache"
    env = {**os.environ, "XDG_CACHE_HOME": str(cache), "PYTHONPATH": str(ROOT / "src")}
    command = [sys.executable, "-m", "counterpoint", "audit", str(brief), "--format", "json"]

    def timed(empty: bool) -> float:
        if empty:
            shutil.rmtree(cache, ignore_errors=True)
        t = time.perf_counter()
        subprocess.run(command, env=env, capture_output=True, check=False)
        return time.perf_counter() - t

    cold = statistics.median(timed(True) for _ in range(5))
    warm = statistics.median(timed(False) for _ in range(5))
    text = brief.read_text(encoding="utf-8")
    first = cases[0].quote
    brief.write_text(text.replace(first, first + " x", 1), encoding="utf-8")
    counting = (
        "import sys, counterpoint.audit.quotes.match as m; calls = []; real = m.check\n"
        "m.check = lambda q, *a: calls.append(q) or real(q, *a)\n"
        "from counterpoint.pipeline.builder import audit; audit(sys.argv[1]); print(len(calls))\n"
    )
    t = time.perf_counter()
    ran = subprocess.run([sys.executable, "-c", counting, str(brief)], env=env,
                         capture_output=True, text=True, check=False)  # fmt: skip
    edited = time.perf_counter() - t
    print(
        f"speed: {len(cases)} quotations over 50 sources: `counterpoint audit` "
        f"{cold:.2f} s with an empty cache, {warm:.2f} s warm (medians of 5); after editing "
        "one quotation "
        f"{edited:.2f} s, {ran.stdout.strip() or ran.stderr.strip()[-200:]} quotation(s) "
        "matched again"
    )


if __name__ == "__main__":
    main()
