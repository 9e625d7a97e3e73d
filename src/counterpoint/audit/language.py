"""The language checks (CP301-CP305): loaded or absolute wording in the analyst's own
text, and likelihood and confidence worded as ICD 203 asks."""

from __future__ import annotations

from counterpoint.audit.run import Audit
from counterpoint.audit.words import matches, words_of
from counterpoint.brief import markdown
from counterpoint.brief.lexicons import SENTENCE_ENDS, Lexicon, lexicon_for
from counterpoint.brief.model import Text
from counterpoint.errors import Location


def own_texts(run: Audit) -> list[tuple[str, Text]]:
    """The analyst's own text: summary, background, assessments, judgments, implications."""
    b = run.brief
    out: list[tuple[str, Text]] = [("summary", b.summary)]
    if b.background:
        out.append(("background", b.background))
    out += [
        (f"contested[{i}].assessment", c.assessment)
        for i, c in enumerate(b.contested)
        if c.assessment
    ]
    out += [(f"judgments[{i}].text", j.text) for i, j in enumerate(b.judgments)]
    if b.implications:
        out.append(("implications", b.implications))
    return out


def check_language(run: Audit) -> None:
    """CP301-CP305: wording. CP303 (a missing likelihood or confidence) runs in every
    language; the others need the language's word lists (lexicons.TERMS)."""
    b = run.brief
    lex = lexicon_for(b.language)
    lang = lex.language if lex is not None else b.language
    own = [(path, text, markdown.plain(text.tokens)) for path, text in own_texts(run)]
    for path, text, plain in own:
        for word, nth in matches(lex.loaded, plain) if lex is not None else []:
            run.add(
                "CP301",
                f"loaded or absolute wording '{word}' in {path}",
                run.files.locate(text, word, nth, lang),
                path,
            )
    for i, j in enumerate(b.judgments):
        plain = markdown.plain(j.text.tokens)
        for word, nth in matches(lex.off_scale, plain) if lex is not None else []:
            run.add(
                "CP302",
                f"judgment {i + 1} uses '{word}', which is not an ICD 203 likelihood term; "
                "give the likelihood in its `likelihood` key",
                run.files.locate(j.text, word, nth, lang),
                f"judgments[{i}]",
            )
        missing = [k for k in ("likelihood", "confidence") if not getattr(j, k)]
        if missing:
            run.add(
                "CP303",
                f"judgment {i + 1} has no {' and no '.join(missing)}",
                j.where,
                f"judgments[{i}]",
            )
        if lex is None:
            continue
        seen: dict[str, int] = {}
        for sentence in SENTENCE_ENDS.split(plain):
            stated = [" ".join(m.group(0).split()) for m in lex.confidence.finditer(sentence)]
            likely = lex.main_row.search(sentence) or (
                lex.alt_row.search(sentence) if lex.alt_row else None
            )
            for phrase in stated:
                nth = seen.get(phrase.casefold(), 0)
                seen[phrase.casefold()] = nth + 1
                if likely:
                    run.add(
                        "CP305",
                        f"judgment {i + 1} states a confidence level ('{phrase}') in the "
                        f"same sentence as a likelihood ('{words_of(likely)}'); "
                        "ICD 203 keeps the two apart",
                        _locate_phrase(run, j.text, phrase, nth, lex),
                        f"judgments[{i}]",
                    )
    if lex is None or lex.alt_row is None:
        return  # CP304: ICD 203's alternative row is listed in English only
    alt_row = lex.alt_row
    main = next(
        (
            f"{p}: '{' '.join(m.group(0).split())}'"
            for p, _, plain in own
            if (m := lex.main_row.search(plain))
        ),
        None,
    )
    if main is None:
        main = next(
            (
                f"judgments[{i}].likelihood: '{j.likelihood}'"
                for i, j in enumerate(b.judgments)
                if j.likelihood
            ),
            None,
        )
    if main is None:
        return
    for path, text, plain in own:
        for word, nth in matches(alt_row, plain):
            run.add(
                "CP304",
                f"'{word}' in {path} is from the ICD 203 alternative row, while the brief "
                f"uses the main row ({main}); keep to one row",
                run.files.locate(text, word, nth),
                path,
            )


def _locate_phrase(run: Audit, text: Text, phrase: str, nth: int, lex: Lexicon) -> Location:
    """A confidence phrase's place (English phrases as words, others by the pattern)."""
    if lex.language == "en":
        return run.files.locate(text, phrase, nth)
    return run.files.locate(text, phrase, nth, lex.language)
