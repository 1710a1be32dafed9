"""The verdict on a given answer (`derivtex check`), as a student reads it: one record
with the JSON fields of SPEC §4 "check", its sentences from the template check.j2, and
its displays in Jupyter (check.html.j2, check.md.j2)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..errors import spell
from ..model.layout import Layout, other
from ..model.shapes import Dim, Shape
from ..options import Options
from ..verify.answer import Assessed, Counterexample, Hint, Verdict
from .render import blamed_on_overrides, environment, render


@dataclass(frozen=True)
class CheckResult:
    """What `derivtex.check_answer` returns: `verdict` is "correct", "other_layout",
    "wrong_shape" or "wrong"; `correct` is true only for "correct"."""

    verdict: Verdict
    message: str
    expected_shape: list[Dim]
    answer_shape: list[Dim]
    counterexample: dict[str, Any] | None = None
    hint: str | None = None
    templates: str | None = field(default=None, repr=False)

    @property
    def correct(self) -> bool:
        return self.verdict == "correct"

    @property
    def exit_status(self) -> int:
        """The CLI's: 0 correct, 3 any other verdict."""
        return 0 if self.correct else 3

    def to_dict(self) -> dict[str, Any]:
        """The JSON object an autograder reads (`derivtex check --format json`)."""
        return {"verdict": self.verdict, "message": self.message,
                "expected_shape": self.expected_shape, "answer_shape": self.answer_shape,
                "counterexample": self.counterexample, "hint": self.hint}

    def text(self) -> str:
        """`--format text`: the message, the hint, and the counterexample's inputs."""
        return render("check.txt.j2", self.templates, r=self, values=self.values())

    def values(self) -> list[tuple[str, str]]:
        if self.counterexample is None:
            return []
        return [(name, shown(value)) for name, value in self.counterexample["values"].items()]

    def __str__(self) -> str:
        return self.text()

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        """Terminal IPython shows the words, not the record."""
        printer.text(self.text().rstrip("\n"))

    def _repr_html_(self) -> str:
        return render("check.html.j2", self.templates, r=self, values=self.values())

    def _repr_markdown_(self) -> str:
        return render("check.md.j2", self.templates, r=self, values=self.values())


def shown(value: Any) -> str:
    """An input's value as a student writes it: 2, (1, -2), [[1, 2], [3, 4]]."""
    if isinstance(value, list) and value and isinstance(value[0], list):
        return "[" + ", ".join("[" + ", ".join(number(v) for v in row) + "]"
                               for row in value) + "]"
    if isinstance(value, list):
        return "(" + ", ".join(number(v) for v in value) + ")"
    return number(value)


def number(value: float | None) -> str:
    return "undefined" if value is None else f"{value:g}"


def shape_text(shape: tuple[Dim, ...] | list[Dim]) -> str:
    return "×".join(str(d) for d in shape)


def shape_kind(shape: Shape) -> str:
    if shape == (1, 1):
        return "scalar"
    return "column" if shape[1] == 1 else "row" if shape[0] == 1 else "matrix"


@dataclass(frozen=True)
class Question:
    """What was asked, as the sentences need it."""

    wrt: str
    layout: Layout
    order: int
    out_kind: str
    wrt_kind: str
    expected: Shape  # in the expression's own dimensions
    declare: str  # how to declare a matrix symmetric in the shell asked from ("--symmetric A")
    templates: str | None = None


def verdict_of(assessed: Assessed, options: Options, f_shape: Shape, wrt_kind: str,
               expected: Shape) -> CheckResult:
    """The record and its sentences (f_shape: the expression's shape; expected: the
    derivative's, in the layout asked)."""
    out_kind = "scalar" if f_shape == (1, 1) else "vector" if 1 in f_shape else "matrix"
    return described(assessed, Question(
        options.wrt, options.layout, options.order, out_kind, wrt_kind, expected,
        spell("symmetric", options.spelling, "NAME", "'NAME'"), options.templates))


def described(assessed: Assessed, question: Question) -> CheckResult:
    """The record and its sentences; shapes in the expression's dimension names."""
    judgement, read, answer_shape = assessed.judgement, assessed.read, assessed.answer_shape
    verdict = judgement.verdict
    if read.ties and verdict in ("correct", "other_layout"):
        verdict = "wrong_shape"
    example = judgement.counterexample
    facts = {
        "verdict": verdict, "layout": question.layout, "other_layout": other(question.layout),
        "out_kind": question.out_kind, "wrt_kind": question.wrt_kind, "wrt": question.wrt,
        "order": question.order, "expected": shape_text(question.expected),
        "expected_kind": shape_kind(question.expected),
        "answer_shape": shape_text(answer_shape), "answer_kind": shape_kind(answer_shape),
        "flipped": judgement.flipped, "ties": [f"{a} = {b}" for a, b in read.ties],
        "example": example_facts(example) if example else None,
        "hint": hint_facts(judgement.hint, question) if judgement.hint else None,
    }
    with blamed_on_overrides(question.templates):
        sentences: Any = environment(question.templates).get_template("check.j2").module
        hint = str(sentences.hint(facts)).strip() if judgement.hint else None
        message = str(sentences.message(facts)).strip()
    return CheckResult(verdict, message, list(question.expected), list(answer_shape),
                       counterexample_dict(example) if example else None, hint,
                       question.templates)


def example_facts(example: Counterexample) -> dict[str, str]:
    sizes = ", ".join(f"{d} = {s}" for d, s in example.sizes.items())
    return {"sizes": sizes, "entry": f"({example.entry[0]}, {example.entry[1]})",
            "answer": number(example.answer), "derivative": number(example.derivative)}


def hint_facts(hint: Hint, question: Question) -> dict[str, Any]:
    return {"kind": hint.kind, "names": list(hint.names),
            "factor": str(hint.factor) if hint.factor is not None else "",
            "other_layout": hint.other_layout, "added": hint.added,
            "declare": ", ".join(question.declare.replace("NAME", n) for n in hint.names)}


def counterexample_dict(example: Counterexample) -> dict[str, Any]:
    return {"sizes": example.sizes, "entry": list(example.entry), "answer": example.answer,
            "derivative": example.derivative, "values": example.values}

