"""A derivation step as data: one frozen record per rule, holding the equation's two sides
and the facts its sentence needs as expression and index objects, never printed notation.
Wording lives in the templates, notation in the printers."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any, ClassVar, Literal

from ..model.layout import Layout
from ..model.shapes import Kind, Shape
from ..syntax import ast
from . import index as ix
from .contract import Contraction
from .written_out import WrittenOut

Method = Literal["index", "identity"]
PassRule = Literal["product_rule", "chain_rule", "determinant", "inverse", "softmax", "diag"]


@dataclass(frozen=True, kw_only=True)
class Step:
    """`rule` names the template macro that explains the step; `before` and `after` are
    the two sides of its equation."""

    rule: ClassVar[str]
    before: ix.Node | ast.Expr | None
    after: ix.Node | ast.Expr | None

    @property
    def mode(self) -> Method:
        return "index"

    def facts(self) -> dict[str, Any]:
        """The record's own facts by name, as the renderers and templates read them."""
        return {f.name: getattr(self, f.name) for f in fields(self)
                if f.name not in ("before", "after")}


@dataclass(frozen=True, kw_only=True)
class Goal(Step):
    """What is derived: f's entry by the variable's, the shape in the layout."""

    rule = "goal"
    f: str
    wrt: str
    out_kind: Kind
    wrt_kind: Kind
    entry: ix.Entry
    wrt_entry: ix.Entry
    layout: Layout
    shape: Shape | None
    order: int
    method: Method
    row_of: ast.Expr | None = None

    @property
    def mode(self) -> Method:
        return self.method


@dataclass(frozen=True, kw_only=True)
class HessianGoal(Goal):
    """A Hessian's goal: H's entry, by the variable's entry twice."""

    h: str
    second_wrt_entry: ix.Entry


@dataclass(frozen=True, kw_only=True)
class SumExpansion(Step):
    rule = "sum_expansion"
    expr: ast.Expr


@dataclass(frozen=True, kw_only=True)
class PassStep(Step):
    """A step of one differentiation pass; a Hessian's second pass sets `second`."""

    second: bool = False


@dataclass(frozen=True, kw_only=True)
class Linearity(PassStep):
    rule = "linearity"


@dataclass(frozen=True, kw_only=True)
class ProductRule(PassStep):
    rule = "product_rule"


@dataclass(frozen=True, kw_only=True)
class ChainRule(PassStep):
    rule = "chain_rule"


@dataclass(frozen=True, kw_only=True)
class Determinant(PassStep):
    rule = "determinant"


@dataclass(frozen=True, kw_only=True)
class Inverse(PassStep):
    rule = "inverse"


@dataclass(frozen=True, kw_only=True)
class Softmax(PassStep):
    rule = "softmax"


@dataclass(frozen=True, kw_only=True)
class Diag(PassStep):
    rule = "diag"


@dataclass(frozen=True, kw_only=True)
class Delta(PassStep):
    """Each derivative of a variable entry by the variable entry becomes deltas."""

    rule = "delta"
    wrt_entry: ix.Entry


@dataclass(frozen=True, kw_only=True)
class Contract(PassStep):
    """The deltas summed out, in order."""

    rule = "contraction"
    contractions: tuple[Contraction, ...]


@dataclass(frozen=True, kw_only=True)
class IndexForm(Step):
    """A tensor's entry is the answer: order 3 and more have no matrix form."""

    rule = "index_form"
    order: int
    out_kind: Kind
    wrt_kind: Kind


@dataclass(frozen=True, kw_only=True)
class Cancellation(Step):
    rule = "cancellation"
    collected: bool


@dataclass(frozen=True, kw_only=True)
class Collect(Step):
    rule = "collect"
    merged: int


@dataclass(frozen=True, kw_only=True)
class Recognition(Step):
    """Before reassembly: each sum that is an entry of a matrix product written as that
    entry ([A x]_j), and each f'(z_i) through f's values (y_i (1 - y_i)). `products`
    pairs each sum with its entry; `derivatives` holds (f, the argument, f's value at it
    as an entry, f' there through that entry): sigma, sum_k W_ik x_k, y_i, y_i (1 - y_i)."""

    rule = "recognition"
    products: tuple[tuple[ix.Node, ix.Entry], ...]
    derivatives: tuple[tuple[str, ix.Node, ix.Entry, ix.Node], ...]
    second: bool = False


@dataclass(frozen=True, kw_only=True)
class Substitution(Recognition):
    """Before a cancellation: each f' written through f's values (sigma'(z_k) as
    s_k (1 - s_k)), so the fractions 1/s_k the chain rule left visibly cancel."""

    rule = "substitution"


Reading = tuple[ix.Node, ix.Entry, ix.Entry]  # a term, its natural entry, the entry read


@dataclass(frozen=True, kw_only=True)
class Reassembly(Step):
    """The entry read as a matrix expression, `row` and `col` its layout's indices;
    `read_transposed` holds each term of the row before that is read transposed, with
    its natural entry and the entry read ([A X]_ij, [A X]_ij, [X^T A^T]_ji)."""

    rule = "reassembly"
    natural: ast.Expr
    row: ix.Idx | None
    col: ix.Idx | None
    swapped: bool = False
    second: bool = False
    read_transposed: tuple[Reading, ...] = ()
    symmetry_used: tuple[tuple[ast.Expr, ast.Expr], ...] = ()  # engine/symmetry.py
    written_out: WrittenOut | None = None  # the matrix of entries (engine/written_out.py)


@dataclass(frozen=True, kw_only=True)
class TransposeCheck(Step):
    """Is the natural arrangement the layout's shape? The last step of either method."""

    rule = "transpose_check"
    transposed: bool
    needs_transpose: bool
    natural_shape: Shape
    layout: Layout
    shape: Shape | None
    out_kind: Kind
    wrt_kind: Kind
    f: str
    wrt: str
    method: Method

    @property
    def mode(self) -> Method:
        return self.method


@dataclass(frozen=True, kw_only=True)
class GradientEntry(Step):
    """Between a Hessian's passes: the gradient, tidied, and its entry written out."""

    rule = "gradient_entry"
    gradient: ast.Expr
    assembled: ast.Expr
    row: ix.Idx | None
    second_wrt_entry: ix.Entry
    simplified: bool
    recognised: tuple[str, ...]
    symmetry_used: tuple[tuple[ast.Expr, ast.Expr], ...] = ()  # engine/symmetry.py


@dataclass(frozen=True, kw_only=True)
class Symmetry(Step):
    rule = "symmetry"
    visibly_symmetric: bool
    vector: bool
    h: str
    shape: Shape | None


@dataclass(frozen=True, kw_only=True)
class SymmetricGradient(Step):
    """--symmetric on the variable: `before` is G, derived with the entries independent;
    `after` the gradient on symmetric matrices, sym(G) = (G + G^T)/2; `cookbook` the
    Matrix Cookbook's (2.8) G + G^T - I .* G (engine/symmetric_variable.py)."""

    rule = "symmetric_gradient"
    g: str
    wrt: str
    g_symmetric: bool
    cookbook: ast.Expr


@dataclass(frozen=True, kw_only=True)
class ByIdentity(Step):
    """A step of the identity method: the identity it applies (a LIBRARY key) and, for
    an inner product in disguise, the row it recognised."""

    identity: str | None = None
    cookbook: int | None = None
    recognised: ast.Expr | None = None
    symmetry_used: tuple[tuple[ast.Expr, ast.Expr], ...] = ()  # engine/symmetry.py

    @property
    def mode(self) -> Method:
        return "identity"


@dataclass(frozen=True, kw_only=True)
class IdentityApplied(ByIdentity):
    rule = "identity"


@dataclass(frozen=True, kw_only=True)
class IdentitySum(ByIdentity):
    rule = "linearity"


@dataclass(frozen=True, kw_only=True)
class IdentityProduct(ByIdentity):
    rule = "product_rule"


@dataclass(frozen=True, kw_only=True)
class IdentityChain(ByIdentity):
    rule = "chain_rule"


PASS_STEPS: dict[str, type[PassStep]] = {
    cls.rule: cls for cls in (ProductRule, ChainRule, Determinant, Inverse, Softmax, Diag)}
IDENTITY_STEPS: dict[str, type[ByIdentity]] = {
    cls.rule: cls for cls in (IdentityApplied, IdentitySum, IdentityProduct, IdentityChain)}
RECORDS: tuple[type[Step], ...] = (
    Goal, HessianGoal, SumExpansion, Linearity, *PASS_STEPS.values(), Delta, Contract,
    IndexForm, Cancellation, Collect, Recognition, Substitution, Reassembly, TransposeCheck,
    GradientEntry, Symmetry, SymmetricGradient, *IDENTITY_STEPS.values())


def transpose_check(natural: ast.Expr, result: ast.Expr, needs_transpose: bool, goal: Goal,
                    natural_shape: Shape) -> TransposeCheck:
    """The last step of either method: is the natural arrangement the layout's shape?"""
    return TransposeCheck(
        before=natural, after=result, transposed=needs_transpose and result != natural,
        needs_transpose=needs_transpose, natural_shape=natural_shape, layout=goal.layout,
        shape=goal.shape, out_kind=goal.out_kind, wrt_kind=goal.wrt_kind, f=goal.f,
        wrt=goal.wrt, method=goal.method)
