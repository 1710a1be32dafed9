"""Sums and products of results in lecturer form: equal scalar factors as a power,
matrices one scalar multiplies in one bracket, and the same result (transposed) in both
layouts when the expression holds a sum the user wrote."""

import numpy as np
import pytest

from derivtex import derive
from tests.conftest import numeric_check

# expression, variable, result text and the page's result in (numerator, denominator)
# layout, a numpy reference of the expression
CASES = [
    # det(A) tr(A) det(A): the two dets were apart (2 det(A) tr(A) det(A) inv(A))
    ("det(A) tr(A) det(A)", "A",
     ("2 det(A)^2 tr(A) inv(A) + det(A)^2 I", "2 det(A)^2 tr(A) inv(A)^T + det(A)^2 I"),
     (r"2 \det\left(\boldsymbol{A}\right)^{2} \operatorname{tr}\left(\boldsymbol{A}\right) "
      r"\boldsymbol{A}^{-1} + \det\left(\boldsymbol{A}\right)^{2} \boldsymbol{I}",
      r"2 \det\left(\boldsymbol{A}\right)^{2} \operatorname{tr}\left(\boldsymbol{A}\right) "
      r"\boldsymbol{A}^{-\top} + \det\left(\boldsymbol{A}\right)^{2} \boldsymbol{I}"),
     lambda A: np.linalg.det(A) ** 2 * np.trace(A)),
    ("tr(A) det(A) tr(A)", "A",
     ("2 det(A) tr(A) I + tr(A)^2 det(A) inv(A)", "2 det(A) tr(A) I + tr(A)^2 det(A) inv(A)^T"),
     (r"2 \det\left(\boldsymbol{A}\right) \operatorname{tr}\left(\boldsymbol{A}\right) "
      r"\boldsymbol{I} + \operatorname{tr}\left(\boldsymbol{A}\right)^{2} "
      r"\det\left(\boldsymbol{A}\right) \boldsymbol{A}^{-1}",
      r"2 \det\left(\boldsymbol{A}\right) \operatorname{tr}\left(\boldsymbol{A}\right) "
      r"\boldsymbol{I} + \operatorname{tr}\left(\boldsymbol{A}\right)^{2} "
      r"\det\left(\boldsymbol{A}\right) \boldsymbol{A}^{-\top}"),
     lambda A: np.trace(A) ** 2 * np.linalg.det(A)),
    # was x^T (alpha A + B + alpha A^T + B^T)
    ("alpha x^T A x + x^T B x", "x",
     ("x^T (alpha (A + A^T) + B + B^T)", "(alpha (A + A^T) + B + B^T) x"),
     (r"\boldsymbol{x}^{\top} \left(\alpha \left(\boldsymbol{A} + \boldsymbol{A}^{\top}\right)"
      r" + \boldsymbol{B} + \boldsymbol{B}^{\top}\right)",
      r"\left(\alpha \left(\boldsymbol{A} + \boldsymbol{A}^{\top}\right) + \boldsymbol{B} + "
      r"\boldsymbol{B}^{\top}\right) \boldsymbol{x}"),
     lambda alpha, x, A, B: alpha * (x.T @ A @ x) + x.T @ B @ x),
    # the numerator layout read x^T (A + B + A^T + B^T)
    ("x^T (A + B) x", "x", ("x^T (A + B + (A + B)^T)", "(A + B + (A + B)^T) x"),
     (r"\boldsymbol{x}^{\top} \left(\boldsymbol{A} + \boldsymbol{B} + \left(\boldsymbol{A} + "
      r"\boldsymbol{B}\right)^{\top}\right)",
      r"\left(\boldsymbol{A} + \boldsymbol{B} + \left(\boldsymbol{A} + \boldsymbol{B}"
      r"\right)^{\top}\right) \boldsymbol{x}"),
     lambda x, A, B: x.T @ (A + B) @ x),
    # the denominator layout read (A + (A - A^T)^T - A^T) x
    ("x^T (A - A^T) x", "x", ("0", "0"), (r"\boldsymbol{0}", r"\boldsymbol{0}"),
     lambda x, A: x.T @ (A - A.T) @ x),
    # the denominator layout read (A + B + (A + B - B^T)^T - B^T) x
    ("x^T (A + B - B^T) x", "x", ("x^T (A + A^T)", "(A + A^T) x"),
     (r"\boldsymbol{x}^{\top} \left(\boldsymbol{A} + \boldsymbol{A}^{\top}\right)",
      r"\left(\boldsymbol{A} + \boldsymbol{A}^{\top}\right) \boldsymbol{x}"),
     lambda x, A, B: x.T @ (A + B - B.T) @ x),
    # the layouts read x^T (2 alpha I + A + A^T) and (A + alpha I + (A + alpha I)^T) x; a
    # term's transpose follows it
    ("x^T (A + alpha I) x", "x", ("x^T (A + A^T + 2 alpha I)", "(A + A^T + 2 alpha I) x"),
     (r"\boldsymbol{x}^{\top} \left(\boldsymbol{A} + \boldsymbol{A}^{\top} + "
      r"2 \alpha \boldsymbol{I}\right)",
      r"\left(\boldsymbol{A} + \boldsymbol{A}^{\top} + 2 \alpha \boldsymbol{I}\right) "
      r"\boldsymbol{x}"),
     lambda x, A, alpha: x.T @ (A + alpha * np.eye(len(x))) @ x),
]


@pytest.mark.parametrize("layout", ["numerator", "denominator"])
@pytest.mark.parametrize("expr, wrt, texts, pages, reference", CASES, ids=[c[0] for c in CASES])
def test_results_in_lecturer_form(expr, wrt, texts, pages, reference, layout):
    data = derive(expr, wrt, layout=layout).to_dict()
    assert data["result"] == texts[layout == "denominator"]
    assert data["steps"][-1]["latex"].split("&= ")[-1] == pages[layout == "denominator"]
    assert data["verified"] is True
    names = reference.__code__.co_varnames[:reference.__code__.co_argcount]
    numeric_check(data, lambda **env: float(np.squeeze(reference(**{n: env[n] for n in names}))),
                  wrt, layout)
