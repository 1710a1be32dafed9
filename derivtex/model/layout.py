"""The layout convention, in one place: both methods, verification and the
page ask this module which way round a derivative goes.

Numerator layout: the derivative of an m-vector by an n-vector is m×n, of a scalar by
an n-vector 1×n, of a scalar by a p×q matrix q×p. Denominator layout: the transpose.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal, get_args

if TYPE_CHECKING:  # annotations only: the shells import this module on every start
    from .shapes import Kind, Shape

Layout = Literal["numerator", "denominator"]
LAYOUTS: tuple[Layout, ...] = get_args(Layout)


def other(layout: Layout) -> Layout:
    return "denominator" if layout == "numerator" else "numerator"


def layout_shape(out_shape: Shape, wrt_shape: Shape, out_kind: Kind, wrt_kind: Kind,
                 layout: Layout) -> Shape:
    """The derivative's shape in `layout`."""
    if out_kind == "scalar":
        numerator: Shape = (wrt_shape[1], wrt_shape[0])
    elif wrt_kind == "scalar":
        numerator = out_shape
    else:
        numerator = (out_shape[0], wrt_shape[0])
    return numerator if layout == "numerator" else (numerator[1], numerator[0])


def natural_layout(out_kind: Kind, wrt_kind: Kind) -> Layout:
    """The layout of the natural arrangement, the output's index first, then the
    variable's: a scalar by a vector or matrix is then shaped like the variable."""
    return "denominator" if out_kind == "scalar" and wrt_kind != "scalar" else "numerator"


def needs_transpose(built_in: Layout, layout: Layout) -> bool:
    """Is a derivative built in one layout the wrong way round for `layout`? (A derivative
    by a scalar, or of a scalar by a scalar, is the same in both; callers know their
    shapes.)"""
    return built_in != layout
