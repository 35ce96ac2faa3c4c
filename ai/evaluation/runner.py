"""Run the AI features on the evaluation set (eval/, see eval/FORMAT.md) and measure them.

Every call goes through `ai.gateway`, as the product makes it, with a context that records no
user: the engine is the one the settings (or `engine=`) name, and the calls are accounted like
any other. A failed call counts against its feature and the run goes on.
"""

from __future__ import annotations

import functools
import json
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.test.utils import override_settings

from ai import gateway, prompting
from ai.errors import AIError, AINoJobOffer, AINotEnoughInCommon
from ai.evaluation import facts
from ai.evaluation.metrics import (
    Detection,
    auc,
    mean,
    ndcg,
    ratio,
    set_f1,
    skill_key,
    skills_f1,
    spearman,
    token_f1,
    words,
)
from ai.offline.facts import as_dict, as_list, as_text, iter_cv_texts
from ai.offline.vocabulary import find_skills_in
from core.config import get_setting
from core.pdftext import PdfRejected, extract_pdf_text

SECTIONS = ("score", "offers", "tailoring", "translation", "import", "letters")
ENGINES = ("offline", "openai")
LANGUAGES = ("en", "fr", "de", "es")
FIT_GRADE = 2  # grade >= 2 is a fit, <= 1 a misfit
MIN_SEGMENT_WORDS = 3
SKILL_GROUPS = ("hard_skills", "tools", "methodologies")
# The model settings each feature reads (ai.gateway); recorded so runs can be compared.
MODEL_SETTINGS = (
    "model_extract_job_offer", "model_match_score", "model_cv_classify",
    "model_cv_batch_experience", "model_cv_batch_skills", "model_cv_batch_summary",
    "model_translate_cv", "model_import_pdf", "model_cover_letter",
)  # fmt: skip
IMPORT_FIELDS = ("name", "email", "titles", "employers", "schools")

CONTEXT = gateway.AIContext(user_id=None)


class DataError(ValueError):
    """The evaluation set is missing or malformed."""


@dataclass
class Dataset:
    root: Path
    offers: dict[str, dict[str, Any]]  # id -> label
    offer_texts: dict[str, str]
    cvs: dict[str, dict[str, Any]]  # id -> label
    cv_docs: dict[str, dict[str, Any]]
    pairs: list[dict[str, Any]]


def load(root: Path) -> Dataset:
    """The evaluation set in `root`; the parts it lacks are empty."""
    offers = _labels(root / "offers" / "labels.json")
    cvs = _labels(root / "cvs" / "labels.json")
    offer_texts = {oid: _read(root / "offers" / f"{oid}.txt") for oid in offers}
    cv_docs = {}
    for cid in cvs:
        doc = json.loads(_read(root / "cvs" / f"{cid}.json"))
        if not isinstance(doc, dict):
            raise DataError(f"cvs/{cid}.json: a CV is a JSON object")
        cv_docs[cid] = doc
    pairs_path = root / "pairs.json"
    pairs = json.loads(_read(pairs_path)) if pairs_path.exists() else []
    if not isinstance(pairs, list):
        raise DataError("pairs.json: a list of {cv, offer, grade}")
    for pair in pairs:
        if pair.get("cv") not in cvs or pair.get("offer") not in offers:
            raise DataError(f"pairs.json: unknown cv or offer in {pair}")
        if not isinstance(pair.get("grade"), int) or not 0 <= pair["grade"] <= 3:
            raise DataError(f"pairs.json: grade 0-3 expected in {pair}")
    return Dataset(root, offers, offer_texts, cvs, cv_docs, pairs)


def _labels(path: Path) -> dict[str, dict[str, Any]]:
    if not path.exists():
        return {}
    data = json.loads(_read(path))
    if not isinstance(data, dict) or not all(isinstance(v, dict) for v in data.values()):
        raise DataError(f"{path.name}: an object of id -> labels")
    return dict(sorted(data.items()))


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise DataError(f"cannot read {path}: {exc.strerror}") from None


@dataclass
class Evaluation:
    """What one run measured: per section, its figures and its per-item details."""

    engine: str
    sections: dict[str, dict[str, Any]] = field(default_factory=dict)
    prompts: dict[str, int] = field(default_factory=dict)
    models: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0


def evaluate(
    data: Dataset,
    *,
    engine: str,
    only: Iterable[str] = SECTIONS,
    progress: Callable[[str], None] | None = None,
) -> Evaluation:
    """Run the sections named in `only` with `engine` and measure them."""
    if engine not in ENGINES:
        raise ValueError(f"engine is one of {', '.join(ENGINES)}")
    started = time.monotonic()
    wanted = [section for section in SECTIONS if section in set(only)]
    with override_settings(AI_ENGINE=engine):
        run = _Run(data)
        result = Evaluation(engine=engine, prompts=prompting.prompt_versions())
        if engine == "openai":
            result.models = {name: str(get_setting(name)) for name in MODEL_SETTINGS}
            result.models["base_url"] = settings.OPENAI_BASE_URL or "https://api.openai.com/v1"
        for section in wanted:
            if progress is not None:
                progress(section)
            section_started = time.monotonic()
            figures = getattr(run, section.replace("import", "import_"))()
            figures["seconds"] = round(time.monotonic() - section_started, 2)
            result.sections[section] = figures
    result.seconds = time.monotonic() - started
    return result


class _Run:
    def __init__(self, data: Dataset) -> None:
        self.data = data
        self._offers: dict[str, dict[str, Any] | None] = {}
        self._errors: dict[str, str] = {}

    def offer(self, oid: str) -> dict[str, Any] | None:
        """The offer as the engine extracts it, None when it finds no offer (cached)."""
        if oid not in self._offers:
            try:
                extracted = gateway.extract_job_offer(self.data.offer_texts[oid], ctx=CONTEXT)
                self._offers[oid] = extracted.content
            except AINoJobOffer:
                self._offers[oid] = None
            except AIError as exc:
                self._offers[oid] = None
                self._errors[oid] = _error(exc)
        return self._offers[oid]

    # --- Sections ----------------------------------------------------------------------------

    def score(self) -> dict[str, Any]:
        rows, errors, skipped = [], 0, 0
        for pair in self.data.pairs:
            offer = self.offer(pair["offer"])
            if offer is None:
                skipped += 1
                continue
            try:
                score = gateway.score_match(self.data.cv_docs[pair["cv"]], offer, ctx=CONTEXT)
            except AIError:
                errors += 1
                continue
            rows.append({**_pair_id(pair), "score": int(score["match_score"])})
        fit = [row["score"] for row in rows if row["grade"] >= FIT_GRADE]
        misfit = [row["score"] for row in rows if row["grade"] < FIT_GRADE]
        per_cv: dict[str, list[dict[str, Any]]] = {}
        for row in rows:
            per_cv.setdefault(row["cv"], []).append(row)
        ndcgs = {
            cv: ndcg([r["score"] for r in cv_rows], [r["grade"] for r in cv_rows])
            for cv, cv_rows in per_cv.items()
        }
        return {
            "pairs": len(rows),
            "pairs_without_offer": skipped,
            "errors": errors,
            "auc": auc(fit, misfit),
            "spearman": spearman([r["score"] for r in rows], [r["grade"] for r in rows])
            if rows
            else None,
            "ndcg@10": mean(ndcgs.values()),
            "mean_score_by_grade": {
                str(g): mean(float(r["score"]) for r in rows if r["grade"] == g) for g in range(4)
            },
            "details": {"pairs": rows, "ndcg@10_per_cv": ndcgs},
        }

    def offers(self) -> dict[str, Any]:
        detection = Detection()
        rejected_non_offers = non_offers = 0
        titles, companies, skills, details = [], [], [], []
        for oid, label in self.data.offers.items():
            real = label.get("kind") != "non-offer"
            offer = self.offer(oid)
            found = offer is not None
            detection = Detection(
                detection.true_positives + (real and found),
                detection.false_positives + (not real and found),
                detection.false_negatives + (real and not found),
            )
            if not real:
                non_offers += 1
                rejected_non_offers += not found
            row: dict[str, Any] = {"offer": oid, "kind": label.get("kind"), "found": found}
            if oid in self._errors:
                row["error"] = self._errors[oid]
            if real and label.get("labelled"):
                got = offer or {}
                row["title"] = (got.get("title"), label.get("title"))
                row["company"] = (got.get("company"), label.get("company"))
                titles.append(token_f1(got.get("title"), label.get("title")))
                companies.append(token_f1(got.get("company"), label.get("company")))
                predicted = offer_skill_names(got)
                skills.append(skills_f1(predicted, label.get("skills") or []))
                row["skills_f1"] = skills[-1]
            details.append(row)
        return {
            "offers": detection.true_positives + detection.false_negatives,
            "non_offers": non_offers,
            "recall": detection.recall,
            "precision": detection.precision,
            "non_offers_rejected": ratio(rejected_non_offers, non_offers),
            "labelled": len(titles),
            "title_f1": mean(titles),
            "company_f1": mean(companies),
            "skills_f1": mean(skills),
            "errors": len(self._errors),
            "details": details,
        }

    def tailoring(self) -> dict[str, Any]:
        kept = total = lost = announced = invented = 0
        shown = evidenced = touched = entries = errors = skipped = 0
        details = []
        for pair in self.data.pairs:
            offer = self.offer(pair["offer"])
            if offer is None:
                skipped += 1
                continue
            source = self.data.cv_docs[pair["cv"]]
            try:
                outcome = gateway.tailor_cv(source, offer, ctx=CONTEXT)
            except AIError as exc:
                errors += 1
                details.append({**_pair_id(pair), "error": _error(exc)})
                continue
            check = facts.facts_kept(source, outcome.cv, outcome.changes)
            total += check["facts"]
            kept += check["facts"] - len(check["lost"])
            lost += len(check["lost"])
            announced += check["missing_announced"]
            invented += len(check["invented"])
            wanted = self._offer_skills(pair["offer"], offer)
            has, shows = skills_shown(source, outcome.cv, wanted)
            evidenced, shown = evidenced + len(has), shown + len(shows)
            changed, count = facts.entries_touched(source, outcome.cv)
            touched, entries = touched + changed, entries + count
            if check["lost"] or check["invented"] or has - shows:
                details.append(
                    {
                        **_pair_id(pair),
                        "lost": check["lost"],
                        "invented": check["invented"],
                        "skills_not_shown": sorted(has - shows),
                    }
                )
        return {
            "pairs": len(self.data.pairs) - skipped - errors,
            "pairs_without_offer": skipped,
            "errors": errors,
            "facts": total,
            # Kept: still in the result, or removed with a change that says so.
            "facts_kept": ratio(kept, total),
            "facts_removed_announced": announced,
            "facts_lost": lost,
            "facts_invented": invented,
            "skills_evidenced": evidenced,
            "skills_shown": ratio(shown, evidenced),
            "entries_touched": ratio(touched, entries),
            "details": details,
        }

    def translation(self) -> dict[str, Any]:
        segments = in_target = names_kept = numbers_kept = cvs = errors = 0
        details: list[dict[str, Any]] = []
        for i, (cid, cv) in enumerate(self.data.cv_docs.items()):
            source_language = self.data.cvs[cid].get("lang") or cv.get("language") or "en"
            targets = [lang for lang in LANGUAGES if lang != source_language]
            target = targets[i % len(targets)]
            try:
                translated = gateway.translate_cv(cv, target, ctx=CONTEXT)
            except AIError as exc:
                errors += 1
                details.append({"cv": cid, "target": target, "error": _error(exc)})
                continue
            cvs += 1
            found = [
                (s, detect_language(s))
                for s in facts.prose_segments(translated, min_words=MIN_SEGMENT_WORDS)
            ]
            right = sum(language == target for _, language in found)
            segments, in_target = segments + len(found), in_target + right
            lost_names = sorted(facts.names(cv) - facts.names(translated))
            numbers_before, numbers_after = facts.numbers(cv), facts.numbers(translated)
            names_kept += not lost_names
            numbers_kept += numbers_before == numbers_after
            details.append(
                {
                    "cv": cid,
                    "source": source_language,
                    "target": target,
                    "segments": len(found),
                    "in_target": right,
                    "not_in_target": [
                        f"[{language}] {s}" for s, language in found if language != target
                    ][:10],
                    "names_changed": lost_names,
                    "numbers_changed": sorted(
                        (numbers_before - numbers_after) + (numbers_after - numbers_before)
                    ),
                }
            )
        return {
            "cvs": cvs,
            "errors": errors,
            "segments": segments,
            "in_target_language": ratio(in_target, segments),
            "names_unchanged": ratio(names_kept, cvs),
            "numbers_unchanged": ratio(numbers_kept, cvs),
            "details": details,
        }

    def import_(self) -> dict[str, Any]:
        scores: dict[str, list[float]] = {name: [] for name in IMPORT_FIELDS}
        details, errors = [], 0
        for cid, label in self.data.cvs.items():
            expected = label.get("pdf_fields")
            if not label.get("pdf") or not isinstance(expected, dict):
                continue
            try:
                pdf = extract_pdf_text((self.data.root / "cvs" / label["pdf"]).read_bytes())
                cv = gateway.structure_cv(pdf.text, ctx=CONTEXT, links=pdf.links)
            except (AIError, PdfRejected, OSError) as exc:
                errors += 1
                cv = {}
                details.append({"cv": cid, "error": _error(exc)})
            got = imported_fields(cv)
            row: dict[str, Any] = {"cv": cid}
            for name in IMPORT_FIELDS:
                if name not in expected:
                    continue
                value = import_field_score(name, got[name], expected[name])
                scores[name].append(value)
                if value < 1:
                    row[name] = {"got": got[name], "expected": expected[name]}
            if len(row) > 1:
                details.append(row)
        per_field = {name: mean(values) for name, values in scores.items()}
        return {
            "pdfs": max((len(values) for values in scores.values()), default=0),
            "errors": errors,
            "field_accuracy": mean(per_field.values()),
            **{f"{name}_accuracy": value for name, value in per_field.items()},
            "details": details,
        }

    def letters(self) -> dict[str, Any]:
        """Cover letters: written for fits, declined for misfits, and no invented fact."""
        from ai.offline.letter import invented_in_letter  # the guard, as the gateway applies it

        written = declined = invented = errors = skipped = 0
        fits_written = fits = misfits_declined = misfits = 0
        details: list[dict[str, Any]] = []
        for pair in self.data.pairs:
            offer = self.offer(pair["offer"])
            if offer is None:
                skipped += 1
                continue
            fit = pair["grade"] >= FIT_GRADE
            fits, misfits = fits + fit, misfits + (not fit)
            cv = self.data.cv_docs[pair["cv"]]
            try:
                outcome = gateway.write_cover_letter(cv, offer, ctx=CONTEXT)
            except AINotEnoughInCommon:
                declined += 1
                misfits_declined += not fit
                continue
            except AIError as exc:
                errors += 1
                details.append({**_pair_id(pair), "error": _error(exc)})
                continue
            written += 1
            fits_written += fit
            letter = outcome.letter
            text = "\n".join([letter["subject"], letter["greeting"], *letter["paragraphs"]])
            found = invented_in_letter(text, cv, offer)
            invented += len(found)
            if found or outcome.removed or not fit:
                details.append(
                    {**_pair_id(pair), "invented": found, "removed_by_guard": outcome.removed}
                )
        return {
            "pairs": len(self.data.pairs) - skipped - errors,
            "pairs_without_offer": skipped,
            "errors": errors,
            "written": written,
            "declined": declined,
            # A letter for a good fit, none for a misfit: the engine's honesty both ways.
            "fits_written": ratio(fits_written, fits),
            "misfits_declined": ratio(misfits_declined, misfits),
            "facts_invented": invented,
            "details": details,
        }

    def _offer_skills(self, oid: str, offer: Mapping[str, Any]) -> set[str]:
        """The offer's required skills: as labelled when the offer is, else as extracted."""
        label = self.data.offers[oid]
        names = label.get("skills") if label.get("labelled") else None
        return {skill_key(name) for name in (names or offer_skill_names(offer))}


def _pair_id(pair: Mapping[str, Any]) -> dict[str, Any]:
    return {"cv": pair["cv"], "offer": pair["offer"], "grade": pair["grade"]}


def _error(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"


def offer_skill_names(offer: Mapping[str, Any]) -> list[str]:
    """Every skill an extracted offer lists, required or nice to have, soft ones included."""
    skills = as_dict(offer.get("skills"))
    names = [
        as_text(name)
        for group in SKILL_GROUPS
        for kind in ("required", "nice_to_have")
        for name in as_list(as_dict(skills.get(group)).get(kind))
    ]
    return [name for name in [*names, *map(as_text, as_list(skills.get("soft_skills")))] if name]


def skills_shown(
    source: Mapping[str, Any], tailored: Mapping[str, Any], wanted: set[str]
) -> tuple[set[str], set[str]]:
    """(offer skills the source CV evidences anywhere, those of them the tailored headline,
    summary and skills list show)."""
    evidenced = _skills_in(source, lambda path: True) & wanted
    shown = _skills_in(tailored, lambda path: path.startswith(("header.", "summary.", "skills.")))
    return evidenced, evidenced & shown


def _skills_in(cv: Mapping[str, Any], where: Callable[[str], bool]) -> set[str]:
    texts = [item for item in iter_cv_texts(cv) if where(item.path)]
    found = find_skills_in([item.text for item in texts], lenient=True)
    keys = {skill_key(match.name) for matches in found for match in matches}
    # A skill-list item is a skill even when the vocabulary does not know it.
    return keys | {skill_key(item.text) for item in texts if item.is_name}


def imported_fields(cv: Mapping[str, Any]) -> dict[str, Any]:
    header = as_dict(cv.get("header"))
    return {
        "name": as_text(header.get("full_name")),
        "email": as_text(as_dict(header.get("contact")).get("email")),
        "titles": [as_text(as_dict(job).get("title")) for job in as_list(cv.get("experience"))],
        "employers": [
            as_text(as_dict(job).get("company")) for job in as_list(cv.get("experience"))
        ],
        "schools": [
            as_text(as_dict(school).get("institution")) for school in as_list(cv.get("education"))
        ],
    }


def import_field_score(name: str, got: Any, expected: Any) -> float:
    """1 or 0 for the name and e-mail (compared without case, accents or punctuation); set F1
    for the lists of titles, employers and schools."""
    if isinstance(expected, list):
        return set_f1(
            (" ".join(words(item)) for item in got), (" ".join(words(i)) for i in expected)
        )
    return float(words(str(got or "")) == words(str(expected or "")))


def detect_language(text: str) -> str:
    """The product language (en, fr, de or es) `text` is most likely written in."""
    return str(_language_identifier().classify(text)[0])


@functools.cache
def _language_identifier() -> Any:
    # py3langid is a development requirement: only the evaluation needs it. Its model ships in
    # the package; choosing among the four product languages keeps short lines reliable.
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE)
    identifier.set_languages(list(LANGUAGES))
    return identifier
