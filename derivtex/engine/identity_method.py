"""The identity method ("using our identity friends"): recognise the expression as
known patterns and combine their derivatives with the sum, product and chain rules.
Each application is a Step citing the identity, and the Matrix Cookbook where it has it.

Vector variables: Jacobians in numerator layout. Matrix variables: gradients (the
Cookbook's layout). The caller arranges the final layout.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from fractions import Fraction

from ..errors import DerivtexError, UnsupportedError
from ..functions import ELEMENTWISE, derivative_expr
from ..model.layout import Layout, needs_transpose
from ..model.shapes import SCALAR, Shapes, Symbol
from ..syntax import ast
from ..syntax.ast import names_in
from .algebra import Algebra, user_sums
from .expand import product_groups
from .identities import LIBRARY
from .steps import IDENTITY_STEPS, ByIdentity, Goal, Step, transpose_check
from .symmetry import Literal, may_use, uses_in


class IdentityMethod:
    def __init__(self, symbols: Mapping[str, Symbol], wrt: str, expr: ast.Expr,
                 algebra: type[Algebra] = Algebra) -> None:
        self.shapes = Shapes(symbols)
        self.algebra = algebra(self.shapes, user_sums(expr))
        self.wrt = ast.Name(wrt)
        self.matrix = symbols[wrt].kind == "matrix"
        self.dim = symbols[wrt].shape[0]
        self.scalar = symbols[wrt].kind == "scalar"
        self.steps: list[ByIdentity] = []

    # -- helpers ------------------------------------------------------------
    def depends(self, e: ast.Expr) -> bool:
        return any(n.name == self.wrt.name for n in names_in(e))

    def record(self, rule: str, before: ast.Expr, after: ast.Expr,
               identity: str | None = None, recognised: ast.Expr | None = None) -> ast.Expr:
        """One step of `rule` (identity, linearity, product_rule or chain_rule)."""
        entry = LIBRARY.get(identity) if identity else None
        self.steps.append(IDENTITY_STEPS[rule](
            before=before, after=after, identity=identity,
            cookbook=entry.cookbook if entry else None, recognised=recognised))
        return after

    def mul(self, *factors: ast.Expr) -> ast.Expr:
        return self.algebra.product(list(factors))

    def T(self, e: ast.Expr) -> ast.Expr:
        return self.algebra.transpose(e)

    def total(self, parts: list[ast.Expr]) -> ast.Expr:
        return self.algebra.sum([(Fraction(1), p) for p in parts])

    def unsupported(self, e: ast.Expr, what: str) -> UnsupportedError:
        return UnsupportedError(f"no identity in the library for {what}; "
                                "use --method index", e.col or None)

    # -- entry point ----------------------------------------------------------
    def derive(self, expr: ast.Expr) -> ast.Expr:
        self.top = expr
        if self.matrix:
            if self.shapes(expr) != SCALAR:
                raise self.unsupported(expr, "a matrix variable of a non-scalar expression")
            return self.gradient(expr)
        return self.jacobian(expr)

    # -- vector variable: numerator-layout Jacobians ---------------------------
    def jacobian(self, e: ast.Expr) -> ast.Expr:
        if e == self.wrt:
            one = ast.Number(Fraction(1)) if self.scalar else ast.Identity(self.dim)
            if self.steps or e is not self.top:  # dx/dx = I goes without saying inside
                return one
            return self.record("identity", e, one, "variable")
        if isinstance(e, ast.Neg):
            return ast.Neg(self.jacobian(e.operand))
        if isinstance(e, ast.Add):
            parts = [self.jacobian(t) for t in e.terms if self.depends(t)]
            return self.record("linearity", e, self.total(parts))
        if isinstance(e, ast.Transpose) and self.shapes(e) == SCALAR:
            return self.jacobian(e.operand)
        if isinstance(e, ast.MatMul):
            return self.product(e)
        if isinstance(e, ast.Call) and (e.func in ELEMENTWISE or e.func == "softmax"):
            return self.elementwise(e)
        if isinstance(e, ast.Norm2) and self.shapes(e.operand)[1] == 1:
            return self.quadratic(e, e.operand, None, e.operand)
        raise self.unsupported(e, type(e).__name__ if not isinstance(e, ast.Call) else
                               f"{e.func}() of the variable")

    def elementwise(self, e: ast.Call) -> ast.Expr:
        u = e.args[0]
        inner = self.jacobian(u)
        if e.func == "softmax":
            outer = self.total([ast.Call("diag", (e,)), ast.Neg(self.mul(e, self.T(e)))])
            return self.record("chain_rule", e, self.mul(outer, inner), "softmax")
        prime = derivative_expr(e.func, u)
        outer = prime if self.shapes(u) == SCALAR else ast.Call("diag", (prime,))
        return self.record("chain_rule", e, self.mul(outer, inner), f"elementwise_{e.func}")

    def product(self, e: ast.MatMul) -> ast.Expr:
        scalars, chain = self.split(list(e.factors))
        groups = [self.group(g) for g in scalars]
        column = self.group(chain) if chain else None
        varying = [g for g in groups if self.depends(g)]
        terms = []
        for g in varying:
            others = [h for h in groups if h is not g]
            terms.append(self.mul(*others, *([column] if column is not None else []),
                                  self.jacobian_scalar(g)))
        if column is not None and self.depends(column):
            terms.append(self.mul(*groups, self.jacobian_chain(chain)))
        result = self.total(terms)
        if len(terms) > 1:
            self.record("product_rule", e, result)
        return result

    def split(self, factors: list[ast.Expr]) -> tuple[list[list[ast.Expr]], list[ast.Expr]]:
        """Scalar groups and the column chain; a column followed by a scalar run is
        re-associated: x x^T b = x (x^T b)."""
        scalars, chain = product_groups(tuple(self.algebra.flat(factors)), self.shapes)
        for k in range(len(chain) - 1):
            rest = chain[k + 1:]
            if self.shapes(chain[k])[1] == 1 and self.shapes(rest[0])[0] == 1 and \
                    self.shapes(rest[-1])[1] == 1:
                return scalars + [rest], chain[:k + 1]
        return scalars, chain

    def group(self, factors: list[ast.Expr]) -> ast.Expr:
        return factors[0] if len(factors) == 1 else ast.MatMul(tuple(factors))

    def jacobian_chain(self, chain: list[ast.Expr]) -> ast.Expr:
        *left, last = chain
        if any(self.depends(f) for f in left):
            raise self.unsupported(self.group(chain), "a matrix that depends on the variable")
        inner = self.jacobian(last)
        if not left:
            return inner
        whole = self.group(chain)
        return self.record("identity", whole, self.mul(*left, inner), "linear")

    def jacobian_scalar(self, g: ast.Expr) -> ast.Expr:
        """d(scalar)/dx, a row: u^T M v forms and single scalar factors."""
        if not isinstance(g, ast.MatMul):
            return self.jacobian(g)
        first, *middle, last = self.algebra.flat(list(g.factors))
        if self.shapes(first)[0] != 1:
            raise self.unsupported(g, "this product")
        if any(self.depends(f) for f in middle):
            raise self.unsupported(g, "a matrix that depends on the variable")
        u = self.T(first)
        m = self.group(middle) if middle else None
        return self.quadratic(g, u, m, last)

    def quadratic(self, g: ast.Expr, u: ast.Expr, m: ast.Expr | None, v: ast.Expr) -> ast.Expr:
        """d(u^T M v)/dx by the inner-product, quadratic-form and product rules."""
        mid = [m] if m is not None else []
        if u == v and self.depends(u):
            sym = self.total([m, self.T(m)]) if m is not None else ast.Number(Fraction(2))
            inner = self.jacobian(u)
            result = self.mul(self.T(u), sym, inner)
            name = "quadratic_form" if m is not None else "squared_norm"
            return self.record("identity" if u == self.wrt else "chain_rule", g, result, name)
        terms = []
        if self.depends(v):
            row = self.mul(self.T(u), *mid)
            terms.append(self.record("identity", g, self.mul(row, self.jacobian(v)),
                                     "inner_product", recognised=row))
        if self.depends(u):
            row = self.T(self.mul(*mid, v))
            terms.append(self.record("identity", g, self.mul(row, self.jacobian(u)),
                                     "inner_product", recognised=row))
        result = self.total(terms)
        if len(terms) > 1:
            self.record("product_rule", g, result)
        return result

    # -- matrix variable: gradients ------------------------------------------------
    def gradient(self, e: ast.Expr) -> ast.Expr:
        X = self.wrt
        if isinstance(e, ast.Neg):
            return ast.Neg(self.gradient(e.operand))
        if isinstance(e, ast.Add):
            parts = [self.gradient(t) for t in e.terms if self.depends(t)]
            return self.record("linearity", e, self.total(parts))
        if isinstance(e, ast.Call) and e.func == "det" and e.args[0] == X:
            return self.record("identity", e, self.mul(e, self.T(ast.Call("inv", (X,)))),
                               "determinant")
        if isinstance(e, ast.Call) and e.func == "log" and e.args[0] == ast.Call("det", (X,)):
            return self.record("identity", e, self.T(ast.Call("inv", (X,))), "log_determinant")
        if isinstance(e, ast.Call) and e.func == "tr":
            return self.trace(e)
        if isinstance(e, ast.Norm2):
            return self.norm_by_matrix(e)
        if isinstance(e, ast.MatMul):
            scalars, chain = self.split(list(e.factors))
            groups = [self.group(g) for g in scalars + ([chain] if chain else [])]
            terms = []
            for g in groups:
                if self.depends(g):
                    others = [h for h in groups if h is not g]
                    terms.append(self.mul(*others, self.gradient_chain(g)))
            result = self.total(terms)
            if len(terms) > 1:
                self.record("product_rule", e, result)
            return result
        raise self.unsupported(e, "this expression of a matrix variable")

    def gradient_chain(self, g: ast.Expr) -> ast.Expr:
        """a^T X b, a^T X^T b, a^T X^{-1} b with constant a, b."""
        X = self.wrt
        factors = self.algebra.flat(list(g.factors)) if isinstance(g, ast.MatMul) else [g]
        at = [k for k, f in enumerate(factors) if self.depends(f)]
        if len(at) != 1:
            if len(factors) == 1:
                return self.gradient(factors[0])
            raise self.unsupported(g, "a product with the matrix variable more than once")
        k = at[0]
        left = self.T(self.mul(*factors[:k])) if k else None
        right = self.T(self.mul(*factors[k + 1:])) if k + 1 < len(factors) else None
        if left is None or right is None:
            raise self.unsupported(g, "this product of the matrix variable")
        f = factors[k]
        if f == X:
            return self.record("identity", g, self.mul(left, right), "bilinear_matrix")
        if f == ast.Transpose(X):
            return self.record("identity", g, self.mul(self.T(right), self.T(left)),
                               "bilinear_matrix_transposed")
        if f == ast.Call("inv", (X,)):
            inv_t = self.T(f)
            return self.record("identity", g, ast.Neg(self.mul(inv_t, left, right, inv_t)),
                               "inverse_bilinear")
        raise self.unsupported(g, "this factor of the matrix variable")

    def trace(self, e: ast.Call) -> ast.Expr:
        X = self.wrt
        arg = e.args[0]
        factors = self.algebra.flat(list(arg.factors)) if isinstance(arg, ast.MatMul) else [arg]
        at = [k for k, f in enumerate(factors) if self.depends(f)]
        if len(at) == 1 and factors[at[0]] in (X, ast.Transpose(X)):
            k = at[0]
            left, right = factors[:k], factors[k + 1:]
            if not left and not right:
                result: ast.Expr = ast.Identity(self.dim)
            elif factors[k] == X:  # tr(L X R) = tr(R L X): gradient (R L)^T
                result = self.T(self.mul(*right, *left))
            else:  # tr(L X^T R) = tr(X^T R L): gradient R L
                result = self.mul(*right, *left)
            return self.record("identity", e, result, "trace_product")
        if len(at) == 2 and len(factors) == 3 and factors[0] == ast.Transpose(X) and \
                factors[2] == X and not self.depends(factors[1]):
            b = factors[1]
            return self.record("identity", e, self.mul(self.total([b, self.T(b)]), X),
                               "trace_quadratic")
        raise self.unsupported(e, "this trace of the matrix variable")

    def norm_by_matrix(self, e: ast.Norm2) -> ast.Expr:
        """||X b + c||^2 -> 2 (X b + c) b^T, for X once at the front of one term."""
        u = e.operand
        terms = list(u.terms) if isinstance(u, ast.Add) else [u]
        varying = [t for t in terms if self.depends(t)]
        if len(varying) == 1 and isinstance(varying[0], ast.MatMul) and \
                varying[0].factors[0] == self.wrt and \
                not any(self.depends(f) for f in varying[0].factors[1:]):
            b = self.mul(*varying[0].factors[1:])
            return self.record("chain_rule", e, self.mul(ast.Number(Fraction(2)), u, self.T(b)),
                               "squared_norm")
        raise self.unsupported(e, "this norm of the matrix variable")


def derive_by_identities(expr: ast.Expr, symbols: Mapping[str, Symbol], wrt: str,
                         layout: Layout, goal: Goal) -> tuple[list[Step], ast.Expr]:
    """The identity method's steps (after `goal`) and its result in `layout`."""
    method = IdentityMethod(symbols, wrt, expr)
    raw = method.derive(expr)
    if raw == ast.Number(Fraction(0)) or not method.depends(expr):
        raise UnsupportedError(f"{wrt} does not change the expression")
    said_aloud(method, symbols, wrt, expr)
    # vector variables give Jacobians (numerator layout), matrix variables gradients
    transpose = needs_transpose("denominator" if method.matrix else "numerator", layout)
    if method.matrix and transpose:  # every step in the layout in use, not the Cookbook's
        method.steps = [replace(step, after=method.algebra.transpose(step.after))
                        for step in method.steps if isinstance(step.after, ast.Expr)]
        raw, transpose = method.algebra.transpose(raw), False
    result = method.algebra.transpose(raw) if transpose else raw
    return [goal, *method.steps, transpose_check(raw, result, transpose, goal,
                                                 method.shapes(raw))], result


def said_aloud(method: IdentityMethod, symbols: Mapping[str, Symbol], wrt: str,
               expr: ast.Expr) -> None:
    """Each step that relied on a symmetric matrix says so: the same steps taken by a
    reader who assumes nothing symmetric keep the transposes this method dropped."""
    if not any(may_use(method.algebra, s.after) for s in method.steps
               if isinstance(s.after, ast.Expr)):
        return
    literal = IdentityMethod(symbols, wrt, expr, Literal)
    try:
        literal.derive(expr)
    except DerivtexError:
        return
    if len(literal.steps) != len(method.steps):
        return
    method.steps = [replace(step, symmetry_used=uses_in(plain.after, method.algebra))
                    if isinstance(plain.after, ast.Expr) else step
                    for step, plain in zip(method.steps, literal.steps, strict=True)]
