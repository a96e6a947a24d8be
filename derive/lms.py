"""Exports for learning-management systems: answer blanks, Moodle XML (cloze) and QTI 1.2 (Canvas).

Both are built with ElementTree, so every text is escaped by the XML library, not by hand; the
QTI zip has fixed timestamps so the same variants give byte-identical files. Each blank carries
its own tolerance (tolerance.py) and the wrong values `derive check` diagnoses (mistakes.py):
in Moodle each is a 0 % answer with check's note as its feedback; Canvas grades every numerical
answer as right, so in QTI they are listed in the blank's incorrect-answer comments instead.
Each question carries the worked solution as feedback that students see after they submit.
"""
from __future__ import annotations

import html
import io
import re
import zipfile
from dataclasses import dataclass
from functools import lru_cache
from decimal import Decimal
from fractions import Fraction
from typing import Any, Sequence
from xml.etree import ElementTree as ET

from .mistakes import Carry, Mistake, distinct

QTI_NS = "http://www.imsglobal.org/xsd/ims_qtiasiv1p2"
MANIFEST_NS = "http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1"
ZIP_TIME = (1980, 1, 1, 0, 0, 0)


@dataclass(frozen=True)
class Blank:
    """One value a student must enter: where it comes from, how it is shown, its answer."""

    column: str  # e.g. grad_kernel[0][1], or iteration_2.loss
    label: str  # LaTeX, e.g. \frac{\partial L}{\partial W_{01}}
    value: float
    tolerance: Decimal  # the accepted distance from `value`, either way
    mistakes: tuple[Mistake, ...] = ()  # diagnosable wrong values, each told apart from the rest by `tolerance`
    carry: Carry | None = None  # how it follows from the student's own earlier answer (PrairieLearn)


@dataclass(frozen=True)
class Question:
    """One variant as an LMS question: its name, HTML problem text, blanks and worked solution."""

    ident: str
    name: str
    html: str
    blanks: tuple[Blank, ...]
    feedback: str  # the worked solution as HTML, shown to students after they submit


def _number(value: float) -> str:
    return repr(float(value))


def _decimal(value: Any) -> Decimal:
    """An answer-key number (a short decimal such as 0.00017) as the Decimal it stands for."""
    return Decimal(repr(value) if isinstance(value, float) else str(value))


def moodle_xml(questions: Sequence[Question], category: str) -> str:
    """A Moodle XML quiz: one cloze question per variant, a NUMERICAL blank per asked value, and
    the worked solution as general feedback (shown after the attempt)."""
    quiz = ET.Element("quiz")
    cat = ET.SubElement(ET.SubElement(quiz, "question", type="category"), "category")
    ET.SubElement(cat, "text").text = f"$course$/{category}"
    for q in questions:
        node = ET.SubElement(quiz, "question", type="cloze")
        ET.SubElement(ET.SubElement(node, "name"), "text").text = q.name
        rows = "".join(f"<tr><td>\\({_no_cloze(html.escape(b.label))}\\)</td><td>{cloze_numerical(b)}</td></tr>"
                       for b in q.blanks)
        text = f"{_no_cloze(q.html)}<table>{rows}</table>"
        ET.SubElement(ET.SubElement(node, "questiontext", format="html"), "text").text = text
        ET.SubElement(ET.SubElement(node, "generalfeedback", format="html"), "text").text = q.feedback
        ET.SubElement(node, "penalty").text = "0.3333333"
        ET.SubElement(node, "hidden").text = "0"
        ET.SubElement(node, "idnumber").text = q.ident
    ET.indent(quiz)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(quiz, encoding="unicode") + "\n"


def _no_cloze(text: str) -> str:
    """HTML with its braces as character references: Moodle reads `{1:NUMERICAL:…}` anywhere in a
    cloze question's text as a blank, so text from the spec must carry none; the browser and
    MathJax see the same braces."""
    return text.replace("{", "&#123;").replace("}", "&#125;")


def cloze_numerical(b: Blank) -> str:
    """A blank in Moodle's cloze syntax: the right answer, then each diagnosable mistake as a 0 %
    answer with the same tolerance and check's note as its feedback."""
    tolerance = f"{b.tolerance:f}"
    wrong = "".join(f"~%0%{_number(float(m.value))}:{tolerance}#{_cloze_text(m.note)}" for m in b.mistakes)
    return f"{{1:NUMERICAL:={_number(b.value)}:{tolerance}{wrong}}}"


@lru_cache(maxsize=1024)  # a few dozen notes, repeated on every blank of every variant: escaped once each
def _cloze_text(text: str) -> str:
    """Plain text as cloze feedback: HTML-escaped (it sits in the question's HTML), then each of
    cloze's special characters escaped with a backslash, as Moodle's documentation says."""
    return re.sub(r'([\\}#~/"])', r"\\\1", html.escape(text, quote=False))


def qti_zip(questions: Sequence[Question], assessments: Sequence[str]) -> bytes:
    """A QTI 1.2 package for Canvas: one quiz (assessment, from `qti_assessment`) per variant."""
    files = {f"{q.ident}.xml": xml for q, xml in zip(questions, assessments)}
    files["imsmanifest.xml"] = _manifest(questions)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, files[name])
    return out.getvalue()


def _manifest(questions: Sequence[Question]) -> str:
    root = ET.Element("manifest", identifier="derive-variants", xmlns=MANIFEST_NS)
    meta = ET.SubElement(root, "metadata")
    ET.SubElement(meta, "schema").text = "IMS Content"
    ET.SubElement(meta, "schemaversion").text = "1.1.3"
    ET.SubElement(root, "organizations")
    resources = ET.SubElement(root, "resources")
    for q in questions:
        resource = ET.SubElement(resources, "resource", identifier=q.ident, type="imsqti_xmlv1p2")
        ET.SubElement(resource, "file", href=f"{q.ident}.xml")
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def qti_assessment(q: Question, title: str) -> str:
    """One variant as a QTI 1.2 assessment: its problem first, then a numerical question per
    asked value with its tolerance as bounds, the first carrying the worked solution as its
    general feedback (made in the worker that renders the variant)."""
    root = ET.Element("questestinterop", xmlns=QTI_NS)
    assessment = ET.SubElement(root, "assessment", ident=q.ident, title=f"{title}: {q.name}")
    section = ET.SubElement(assessment, "section", ident=f"{q.ident}-section")
    _item(section, f"{q.ident}-problem", q.name, "text_only_question", q.html)
    for k, blank in enumerate(q.blanks, start=1):
        item = _item(section, f"{q.ident}-q{k}", blank.column, "numerical_question", f"<p>\\({html.escape(blank.label)}\\) =</p>")
        presentation = item.find("presentation")
        assert presentation is not None  # _item always makes one
        response = ET.SubElement(presentation, "response_str", ident="response1", rcardinality="Single")
        ET.SubElement(ET.SubElement(response, "render_fib", fibtype="Decimal"), "response_label", ident="answer1")
        processing = ET.SubElement(item, "resprocessing")
        outcomes = ET.SubElement(processing, "outcomes")
        ET.SubElement(outcomes, "decvar", maxvalue="100", minvalue="0", varname="SCORE", vartype="Decimal")
        # Canvas imports an itemfeedback "general_fb" shown whatever the answer as the question's
        # general ("neutral") comments; once per variant, not on every blank: it is the whole solution.
        if k == 1:
            shown = ET.SubElement(processing, "respcondition", attrib={"continue": "Yes"})
            ET.SubElement(ET.SubElement(shown, "conditionvar"), "other")
            ET.SubElement(shown, "displayfeedback", feedbacktype="Response", linkrefid="general_fb")
        condition = ET.SubElement(processing, "respcondition", attrib={"continue": "No"})
        either = ET.SubElement(ET.SubElement(condition, "conditionvar"), "or")
        ET.SubElement(either, "varequal", respident="response1").text = _number(blank.value)
        bounds = ET.SubElement(either, "and")
        value = Decimal(_number(blank.value))
        ET.SubElement(bounds, "vargte", respident="response1").text = str(value - blank.tolerance)
        ET.SubElement(bounds, "varlte", respident="response1").text = str(value + blank.tolerance)
        ET.SubElement(condition, "setvar", action="Set", varname="SCORE").text = "100"
        if blank.mistakes:
            # Reached only when the answer is not right (the condition above stops): Canvas shows
            # this as the question's incorrect comments. A condition per mistake would import as
            # one more right answer, since Canvas gives every numerical answer full marks.
            wrong = ET.SubElement(processing, "respcondition", attrib={"continue": "Yes"})
            ET.SubElement(ET.SubElement(wrong, "conditionvar"), "other")
            ET.SubElement(wrong, "displayfeedback", feedbacktype="Response", linkrefid="general_incorrect_fb")
        if k == 1:
            feedback = ET.SubElement(item, "itemfeedback", ident="general_fb")
            material = ET.SubElement(ET.SubElement(feedback, "flow_mat"), "material")
            ET.SubElement(material, "mattext", texttype="text/html").text = q.feedback
        if blank.mistakes:
            feedback = ET.SubElement(item, "itemfeedback", ident="general_incorrect_fb")
            material = ET.SubElement(ET.SubElement(feedback, "flow_mat"), "material")
            ET.SubElement(material, "mattext", texttype="text/html").text = mistakes_html(blank)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def mistakes_html(b: Blank) -> str:
    """The diagnosable wrong values of a blank as an HTML list: 'If your answer is about v: note'."""
    items = "".join(f"<li>{html.escape(_number(float(m.value)))}: {html.escape(m.note)}</li>" for m in b.mistakes)
    return f"<p>Not right. If your answer is within ±{b.tolerance:f} of one of these, the likely mistake:</p><ul>{items}</ul>"


def _item(section: ET.Element, ident: str, title: str, kind: str, html: str) -> ET.Element:
    item = ET.SubElement(section, "item", ident=ident, title=title)
    fields = ET.SubElement(ET.SubElement(item, "itemmetadata"), "qtimetadata")
    for label, entry in (("question_type", kind), ("points_possible", "0.0" if kind == "text_only_question" else "1.0")):
        field = ET.SubElement(fields, "qtimetadatafield")
        ET.SubElement(field, "fieldlabel").text = label
        ET.SubElement(field, "fieldentry").text = entry
    material = ET.SubElement(ET.SubElement(item, "presentation"), "material")
    ET.SubElement(material, "mattext", texttype="text/html").text = html
    return item


def blanks(answers: dict[str, Any], ask: Sequence[str], labels: dict[str, Any],
           tolerances: dict[str, Any], mistakes: Sequence[dict[str, list[tuple[Mistake, ...]]]] = (),
           carries: Sequence[dict[str, list[Carry | None]]] = ()) -> tuple[Blank, ...]:
    """The asked values of an answer key, cell by cell, labelled with their symbols; `tolerances`
    is shaped like the answer key and holds each cell's tolerance; `mistakes` and `carries` (per
    iteration, per field, per cell in the key's order, from mistakes.py) the diagnosable wrong
    values and the follow-through rules."""
    out = []
    for k, (iteration, tols) in enumerate(zip(answers["iterations"], tolerances["iterations"]), start=1):
        prefix = "" if k == 1 else f"iteration_{k}."
        wrong = mistakes[k - 1] if k <= len(mistakes) else {}
        follows = carries[k - 1] if k <= len(carries) else {}
        for name in ask:
            count = len(_cells(tols[name]))
            cells = zip(_cells(iteration[name]), _cells(tols[name]), wrong.get(name) or [()] * count,
                        follows.get(name) or [None] * count)
            for (index, value), (_, tol), candidates, carry in cells:
                column = prefix + name + "".join(f"[{i}]" for i in index)
                label = labels[name](index) + (f" \\text{{ (iteration {k})}}" if k > 1 else "")
                tolerance = _decimal(tol)
                kept = distinct(Fraction(_number(value)), Fraction(tolerance), candidates)
                if carry is not None:  # the same cell of the field it follows, named as its column
                    carry = Carry(prefix + carry.source + "".join(f"[{i}]" for i in index), carry.offset, carry.factor)
                out.append(Blank(column, label, value, tolerance, kept, carry))
    return tuple(out)


def columns(answers: dict[str, Any]) -> list[tuple[str, Any]]:
    """Every answer cell of an answer key as (readable column name, value): the CSV's row."""
    out = []
    for k, iteration in enumerate(answers["iterations"], start=1):
        prefix = "" if k == 1 else f"iteration_{k}."
        for name, tensor in iteration.items():
            out += [(prefix + name + "".join(f"[{i}]" for i in index), v) for index, v in _cells(tensor)]
    return out


def _cells(tensor: Any, index: tuple[int, ...] = ()) -> list[tuple[tuple[int, ...], Any]]:
    if isinstance(tensor, list):
        return [cell for k, t in enumerate(tensor) for cell in _cells(t, index + (k,))]
    return [(index, tensor)]
