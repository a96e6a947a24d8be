"""The flat path's readers of answer fields take names, symbols and words from the one table
(derive/fields.py): a change to the table shows in the problem sheet, the LMS blanks' labels, the
worked solution, the page's refs and the figures, with no second list to update."""
from __future__ import annotations

from dataclasses import replace

import pytest

import derive
from derive import fields, figures, printing, refs, render
from derive.problem import build_problem

BASE = {"input": [[1, 2, 0], [0, 1, 3], [2, 1, 1]], "kernel": [[1, 0], [0, 1]], "target": [[1, 0], [0, 1]],
        "learning_rate": 0.1, "bias": 0.1}
KINDS = {  # the last stage before the loss differs: it is written Ŷ and refers to the prediction
    "plain": {},
    "relu": {"activation": "relu"},
    "relu-maxpool": {"activation": "relu", "pooling": {"type": "max", "size": 2, "stride": 1}, "target": [[1]]},
}


@pytest.fixture
def retable(monkeypatch):
    """Change one row of the answer-field table for the test's length."""
    def change(name: str, **columns: str) -> None:
        monkeypatch.setitem(fields.BY_NAME, name, replace(fields.BY_NAME[name], **columns))
    return change


def test_the_sheet_words_and_symbols_come_from_the_table(retable) -> None:
    p = build_problem(BASE)
    retable("loss", wording="the cost of the prediction", notation="Lnext")
    [task] = render.tasks(p, ("loss",))
    assert task == {"text": "The cost of the prediction:", "symbol": "L'"}


def test_a_plural_wording_is_the_tables(retable) -> None:
    many = build_problem({**BASE, "input": [BASE["input"]], "kernel": [[BASE["kernel"]]], "target": [BASE["target"]],
                          "bias": [0.1]})
    assert render.tasks(many, ("kernel_next",))[0]["text"] == "The updated filters:"
    retable("kernel_next", plural="the updated kernels")
    assert render.tasks(many, ("kernel_next",))[0]["text"] == "The updated kernels:"
    assert render.tasks(build_problem(BASE), ("kernel_next",))[0]["text"] == "The updated filter:"


def test_a_blank_label_takes_the_tables_notation_and_role(retable) -> None:
    p = build_problem(BASE)
    assert printing.cell_label(p, "kernel_next", (0, 0, 0, 1)) == "W'^{(0,0)}_{01}"
    retable("kernel_next", notation="W", role="gradient")
    assert printing.cell_label(p, "kernel_next", (0, 0, 0, 1)) == r"\frac{\partial L}{\partial W^{(0,0)}_{01}}"


def test_the_worked_solution_names_an_answer_by_the_table(retable) -> None:
    retable("bias_next", notation="b")  # the updated bias written b, as an illustration
    text = derive.solve(BASE).to_markdown()
    assert "b = " in text.split("## Final Results")[1] and "b' = " not in text.split("## Final Results")[1]


@pytest.mark.parametrize("kind", KINDS)
def test_every_answer_symbol_on_the_page_refers_to_its_field(kind: str) -> None:
    p = build_problem({**BASE, **KINDS[kind]})
    scope = refs.scope(p, 2)
    for f in fields.present(p):
        table = dict(scope.partials) if f.role == "gradient" else scope.table
        meant = "prediction" if f.name == fields.last_stage(p) else f.name
        assert table[fields.notation(p, f.name)] == "iteration_2." + meant


def test_the_figures_label_answers_by_the_tables_symbols(retable, monkeypatch) -> None:
    names = []
    monkeypatch.setattr(figures, "_kernels", lambda tensor, name: names.append(name) or [(name, tensor[0][0])])
    retable("kernel_next", symbol="K′")
    figures.make_figures(derive.solve(BASE))
    assert names == ["W", "∂L/∂W", "K′"]
