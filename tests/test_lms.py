"""Mistake feedback in the Moodle and Canvas exports, read back as those systems read them, and
text from the spec staying text in every export."""
from __future__ import annotations

import html.parser
import json
import subprocess
import sys
import zipfile
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from cloze import numerical_blanks

from derive.lms import Blank, cloze_numerical
from derive.mistakes import Mistake

ROOT = Path(__file__).resolve().parent.parent
QTI = {"q": "http://www.imsglobal.org/xsd/ims_qtiasiv1p2"}
SEED = (ROOT / "examples" / "seed.yaml").read_text() + "variants: {input: fixed, kernel: fixed, target: fixed}\n"
INJECTION = '</script><script>alert(1)</script>"""; import os'


def variants(tmp_path: Path, spec: str, name: str = "hw") -> Path:
    (tmp_path / f"{name}.yaml").write_text(spec)
    result = subprocess.run([sys.executable, "-m", "derive", "variants", str(tmp_path / f"{name}.yaml"), "--count", "1",
                             "--seed", "1", "-o", str(tmp_path / "out")], capture_output=True, text=True, cwd=ROOT,
                            timeout=300)
    assert result.returncode == 0, result.stderr
    return tmp_path / "out"


@pytest.fixture(scope="module")
def seed_homework(tmp_path_factory) -> Path:
    return variants(tmp_path_factory.mktemp("seed"), SEED)


def moodle_blanks(out: Path) -> list:
    question = ET.parse(out / "moodle.xml").getroot().find("question[@type='cloze']")
    return numerical_blanks(question.find("questiontext/text").text)


def qti_items(out: Path) -> list[ET.Element]:
    with zipfile.ZipFile(out / "qti.zip") as archive:
        root = ET.fromstring(archive.read("variant-0001.xml"))
    return [i for i in root.findall(".//q:item", QTI) if i.find(".//q:varequal", QTI) is not None]


def test_the_seed_documents_gradient_mistakes_are_zero_percent_answers_with_checks_notes(seed_homework):
    blanks = moodle_blanks(seed_homework)
    order = ["prediction"] * 4 + ["loss"] + ["grad_kernel"] * 4 + ["kernel_next"] * 4
    assert len(blanks) == len(order)
    w00 = blanks[order.index("grad_kernel")]  # ∂L/∂W00 = 1.3
    assert (w00[0].fraction, w00[0].value, w00[0].tolerance) == (100, Decimal("1.3"), Decimal("0.00005"))
    wrong = {a.value: a.feedback for a in w00[1:]}
    assert "sign is reversed" in wrong[Decimal("-1.3")]
    # The seed document summed only output cells (0, 0) and (1, 0): 0.3·1 + (−0.25)·0.
    assert wrong[Decimal("0.3")].startswith("a partial sum over only output cells (0, 0), (1, 0) of the 4")
    assert "the factor 2 of the square's derivative is missing" in wrong[Decimal("0.65")]
    assert "1/n" in wrong[Decimal("5.2")]
    assert "rotated by 180°" in wrong[Decimal("0.95")]
    w00_next = blanks[order.index("kernel_next")]  # 0.5 − 0.1·1.3 = 0.37
    assert w00_next[0].value == Decimal("0.37")
    wrong = {a.value: a.feedback for a in w00_next[1:]}
    assert "added instead of subtracted" in wrong[Decimal("0.63")]  # 0.5 + 0.13
    assert "the learning rate applied twice" in wrong[Decimal("0.487")]  # 0.5 − 0.1·0.13
    assert all(len(b) == 1 for b in blanks[:4])  # nothing diagnosable in a prediction


def test_every_alternative_is_a_zero_percent_answer_with_the_blanks_tolerance_and_tells_apart(seed_homework):
    for answers in moodle_blanks(seed_homework):
        right, wrong = answers[0], answers[1:]
        assert right.fraction == 100 and all(a.fraction == 0 for a in wrong)
        assert all(a.tolerance == right.tolerance and a.feedback for a in wrong)
        values = [right.value] + [a.value for a in wrong]
        # No answer within the tolerance could match two of them: Moodle would take the first.
        assert all(abs(a - b) > 2 * right.tolerance for i, a in enumerate(values) for b in values[:i])


def test_coinciding_alternatives_are_left_out_once():
    blank = Blank("loss", "L", 0.5, Decimal("0.00005"))
    from derive.mistakes import distinct

    candidates = [Mistake(Fraction(1, 2), "same as right"), Mistake(Fraction(-1, 2), "sign"),
                  Mistake(Fraction(-50001, 100000), "too close to the sign"), Mistake(Fraction(1), "double")]
    kept = distinct(Fraction(1, 2), Fraction(blank.tolerance), candidates)
    assert [m.note for m in kept] == ["sign", "double"]


def test_cloze_feedback_escapes_its_special_characters():
    note = 'a } b # c ~ d / e " f \\ g <b>h</b> & i'
    blank = Blank("loss", "L", 0.5, Decimal("0.0001"), (Mistake(Fraction(-1, 2), note),))
    text = cloze_numerical(blank)
    [[right, wrong]] = numerical_blanks(text)
    assert (right.value, right.tolerance, wrong.value, wrong.fraction) == (Decimal("0.5"), Decimal("0.0001"), Decimal("-0.5"), 0)
    assert wrong.feedback == note
    assert "<b>" not in text  # HTML in a note is shown, not rendered


def test_qti_lists_the_mistakes_as_incorrect_comments_and_only_the_right_answer_scores(seed_homework):
    items = qti_items(seed_homework)
    blanks = moodle_blanks(seed_homework)
    assert len(items) == len(blanks)
    for item, answers in zip(items, blanks):
        conditions = item.findall("q:resprocessing/q:respcondition", QTI)
        scoring = [c for c in conditions if c.find("q:setvar", QTI) is not None]
        # Canvas imports every scoring numerical condition as a right answer: only one may score.
        assert len(scoring) == 1 and scoring[0].find("q:setvar", QTI).text == "100"
        feedback = item.find("q:itemfeedback[@ident='general_incorrect_fb']//q:mattext", QTI)
        if len(answers) == 1:
            assert feedback is None
            continue
        shown = [c for c in conditions if c.find("q:displayfeedback[@linkrefid='general_incorrect_fb']", QTI) is not None]
        assert len(shown) == 1 and shown[0].find("q:conditionvar/q:other", QTI) is not None
        assert conditions.index(shown[0]) > conditions.index(scoring[0])  # after the right answer stops
        text = _text_of(feedback.text)
        for a in answers[1:]:
            assert f"{float(a.value)!r}: {a.feedback}" in text


class _Tags(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: set[str] = set()
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs) -> None:
        self.tags.add(tag)
        self.text += [v or "" for _, v in attrs]

    def handle_data(self, data) -> None:
        self.text.append(data)


def _parsed(markup: str) -> _Tags:
    parser = _Tags()
    parser.feed(markup)
    parser.close()
    return parser


def _text_of(markup: str) -> str:
    return "".join(_parsed(markup).text)


def test_text_from_the_spec_stays_text_in_every_export(tmp_path):
    spec = SEED.replace("title: CNN Filter Learning and Practices", f"title: {json.dumps(INJECTION + ' {1:NUMERICAL:=1}')}")
    spec += 'notation: {kernel: "K</td><script>x</script>{1:NUMERICAL:=2}"}\n'
    out = variants(tmp_path, spec, name="inj")
    question = ET.parse(out / "moodle.xml").getroot().find("question[@type='cloze']")
    text = question.find("questiontext/text").text
    assert "script" not in _parsed(text).tags and INJECTION in _text_of(text)
    assert len(numerical_blanks(text)) == 13  # the spec's `{1:NUMERICAL:…}` is no blank
    assert "script" not in _parsed(question.find("generalfeedback/text").text).tags
    with zipfile.ZipFile(out / "qti.zip") as archive:
        for name in archive.namelist():
            root = ET.fromstring(archive.read(name))
            for mattext in root.iter(f"{{{QTI['q']}}}mattext"):
                assert "script" not in _parsed(mattext.text).tags
            assert all(INJECTION in a.get("title") for a in root.iter(f"{{{QTI['q']}}}assessment"))
    folder = out / "prairielearn" / "inj"
    assert json.loads((folder / "info.json").read_text())["title"] == INJECTION + " {1:NUMERICAL:=1}"
    page = (folder / "question.html").read_text()
    assert _parsed(page).tags == {"pl-question-panel", "p", "pl-number-input"}
    assert "{{" not in page.replace("{{{params.problem_html}}}", "")  # nothing for PrairieLearn's Mustache
    problem = json.loads((folder / "variants.json").read_text())["variants"][0]["problem_html"]
    assert "script" not in _parsed(problem).tags and INJECTION in _text_of(problem)
    server = (folder / "server.py").read_text()
    assert server == (ROOT / "derive" / "prairielearn_server.py").read_text()
    assert "alert" not in server and "</script>" not in server


def test_a_row_of_output_cells_whose_terms_are_all_zero_gives_no_partial_sum():
    import derive
    from derive.mistakes import mistakes

    # ReLU is off at every output cell but (0, 0): only row 0 and column 0 have a nonzero term.
    spec = {"input": [[2, 0, 1], [1, 3, 0], [0, 1, 2]], "kernel": [[0.4, -0.2], [0.1, 0.3]], "bias": -0.9,
            "target": [[1, 0.5], [0, 1]], "learning_rate": 0.1, "activation": "relu"}
    d = derive.solve(spec)
    partial = [m.note for cell in mistakes(d.problem, d.iterations[0], "grad_kernel") for m in cell
               if m.note.startswith("a partial sum")]
    assert partial and all("row 0" in n or "column 0" in n for n in partial), partial


def test_a_repeated_cloze_note_is_escaped_once(monkeypatch):
    """The same few notes sit on every blank of every variant: Moodle's escaping runs once per note."""
    from derive import lms

    calls = []
    real_sub = lms.re.sub
    monkeypatch.setattr(lms.re, "sub", lambda *a, **k: calls.append(a) or real_sub(*a, **k))
    lms._cloze_text.cache_clear()
    blank = Blank("loss", "L", 0.5, Decimal("0.0001"), (Mistake(Fraction(-1, 2), "a sign flipped ~ #"),))
    texts = {cloze_numerical(blank) for _ in range(3)}
    assert len(texts) == 1 and len(calls) == 1
