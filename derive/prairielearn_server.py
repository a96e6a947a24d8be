"""PrairieLearn question code written by derive: pick a variant, then mark like `derive check`.

derive copies this file unchanged into every question folder it writes; everything about the
problem (its sheet, answers, tolerances, the mistakes derive diagnoses and the follow-through
rules) is data, in variants.json beside it, so nothing a teacher typed ever becomes code.
PrairieLearn runs it without derive installed: it needs only Python's standard library.
"""
import json
import os
from fractions import Fraction

CARRIED_CREDIT = 0.5  # as `derive check --carried-credit`'s default
DATA_FILE = "variants.json"


def _folder(data):
    """The question's folder: PrairieLearn names it in data["options"]; else this file's own."""
    folder = (data.get("options") or {}).get("question_path")
    if folder:
        return folder
    try:
        return os.path.dirname(os.path.abspath(__file__))
    except NameError:  # run from source text, without a file name
        return os.getcwd()


def _variants(data):
    with open(os.path.join(_folder(data), DATA_FILE), encoding="utf-8") as handle:
        return json.load(handle)["variants"]


def generate(data):
    """Choose the variant from PrairieLearn's variant seed; set its problem and right answers."""
    variants = _variants(data)
    variant = variants[int(data["variant_seed"]) % len(variants)]
    data["params"]["variant"] = variant["variant"]
    data["params"]["problem_html"] = variant["problem_html"]
    for answer in variant["answers"]:
        data["correct_answers"][answer["key"]] = answer["value"]


def _exact(value):
    """A submitted or stored number as an exact fraction (a float as the decimal it prints), or None."""
    if value is None or isinstance(value, bool):
        return None
    try:
        return Fraction(repr(value) if isinstance(value, float) else str(value).strip())
    except (ValueError, ZeroDivisionError):
        return None


def _near(submitted, value, tolerance):
    return submitted is not None and abs(submitted - _exact(value)) <= tolerance


def _mark(answer, own, right):
    """(score, feedback) of one answer: right; carried from the student's own wrong value; a
    diagnosed mistake; or wrong."""
    tolerance = _exact(answer["tolerance"])
    mine = own.get(answer["key"])
    if mine is None:
        return 0.0, "No number was entered."
    if right[answer["key"]]:
        return 1.0, "Correct."
    carry = answer.get("carry")
    if carry and own.get(carry["from"]) is not None and not right.get(carry["from"], True):
        expected = _exact(carry["offset"]) + _exact(carry["factor"]) * own[carry["from"]]
        if abs(mine - expected) <= tolerance:
            return CARRIED_CREDIT, ("Right given your own " + carry["from"] + " (follow-through), "
                                    "which is itself wrong: partial credit.")
    for value, note in answer["mistakes"]:
        if _near(mine, value, tolerance):
            return 0.0, "Not right: " + note + "."
    return 0.0, "Not right."


def grade(data):
    """Mark every answer from data["submitted_answers"] and set the partial and total scores."""
    variants = {v["variant"]: v for v in _variants(data)}
    answers = variants[data["params"]["variant"]]["answers"]
    submitted = data.get("submitted_answers") or {}
    own = {a["key"]: _exact(submitted.get(a["key"])) for a in answers}
    right = {a["key"]: _near(own[a["key"]], a["value"], _exact(a["tolerance"])) for a in answers}
    total = 0.0
    for answer in answers:
        score, feedback = _mark(answer, own, right)
        data["partial_scores"][answer["key"]] = {"score": score, "weight": 1, "feedback": feedback}
        data.setdefault("feedback", {})[answer["key"]] = feedback
        total += score
    data["score"] = total / len(answers) if answers else 0.0
