"""The classic test surfaces of optimisation, in the place of a data set: L(w, b) of two coordinates.

    rosenbrock   L = (1 − w)² + 100 (b − w²)²                       one minimum (1, 1) at the end of a curved valley
    himmelblau   L = (w² + b − 11)² + (w + b² − 7)²                 four minima, all with L = 0
    beale        L = Σₖ₌₁³ (cₖ − w + w bᵏ)², c = (1.5, 2.25, 2.625)   one minimum (3, ½), flat plateaus, steep walls
    saddle       L = w² − b²                                        no minimum: a saddle point at (0, 0)

``test_function(name)`` gives a TestFunction: descend(), loss_surface(), gdviz.loss() and gdviz.gradient()
accept it where they take a data set, with w as the one weight (d = 1) and b as the bias. Its
gradient and Hessian are exact (written out by hand; tests check them against finite differences).
A run is followed only inside ``bounds`` (the view ``box`` widened by half its size on every side):
one that leaves it stops there (Trajectory.diverged_at and .note), so the saddle's runaway ends in a
sentence, never an overflow.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

BEALE_C = (1.5, 2.25, 2.625)


@dataclass(frozen=True, eq=False)
class TestFunction:
    """A test surface L(w, b). ``box`` = (w_low, w_high, b_low, b_high), the default view (the order of
    surface.view_box); ``start`` = (w0, b0), a start that tells the surface's story; ``minima``: the
    known minima as (w, b) pairs (none for the saddle), each with L = ``loss_min``; ``stationary``:
    other points where ∇L = 0 worth marking (the saddle point); ``formula``: L written out, plain text."""

    __test__ = False  # not a pytest class, whatever its name

    name: str
    title: str
    formula: str
    box: tuple[float, float, float, float]
    start: tuple[float, float]
    minima: tuple[tuple[float, float], ...]
    loss_min: float | None
    stationary: tuple[tuple[float, float], ...]
    _f: Callable
    _grad: Callable
    _hess: Callable

    d = 1  # one weight w, and the bias b
    feature_names = ("w",)

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        """The region a run is followed in: ``box`` widened by half its width on every side."""
        w_low, w_high, b_low, b_high = self.box
        dw, db = (w_high - w_low) / 2, (b_high - b_low) / 2
        return (w_low - dw, w_high + dw, b_low - db, b_high + db)

    def inside(self, w: float, b: float) -> bool:
        w_low, w_high, b_low, b_high = self.bounds
        return w_low <= w <= w_high and b_low <= b <= b_high

    def loss(self, W, b) -> np.ndarray:
        """L at W of shape (..., 1) (or a number) and b of shape (...)."""
        return self._f(_w(W), np.asarray(b, dtype=np.float64))

    def gradient(self, W, b) -> tuple[np.ndarray, np.ndarray]:
        """(∂L/∂W of shape (..., 1), ∂L/∂b of shape (...)), exact."""
        gw, gb = self._grad(_w(W), np.asarray(b, dtype=np.float64))
        return np.asarray(gw)[..., None], np.asarray(gb)

    def hessian(self, w: float, b: float) -> np.ndarray:
        """The 2×2 Hessian [[L_ww, L_wb], [L_wb, L_bb]] at one point, exact."""
        ww, wb, bb = (float(v) for v in self._hess(float(w), float(b)))
        return np.array([[ww, wb], [wb, bb]])

    def __repr__(self) -> str:
        return f"test_function({self.name!r})"


def _w(W) -> np.ndarray:
    W = np.asarray(W, dtype=np.float64)
    if W.ndim == 0:
        return W
    if W.shape[-1] != 1:
        raise ValueError(f"A test surface has one weight w (W of shape (..., 1)), not W of shape {W.shape}.")
    return W[..., 0]


# ---- the four surfaces: L, ∇L and the Hessian's entries (L_ww, L_wb, L_bb) ----

def _rosenbrock(w, b):
    return (1 - w) ** 2 + 100 * (b - w * w) ** 2


def _rosenbrock_grad(w, b):
    return -2 * (1 - w) - 400 * w * (b - w * w), 200 * (b - w * w)


def _rosenbrock_hess(w, b):
    return 2 - 400 * b + 1200 * w * w, -400 * w, 200.0


def _himmelblau(w, b):
    return (w * w + b - 11) ** 2 + (w + b * b - 7) ** 2


def _himmelblau_grad(w, b):
    first, second = w * w + b - 11, w + b * b - 7
    return 4 * w * first + 2 * second, 2 * first + 4 * b * second


def _himmelblau_hess(w, b):
    first, second = w * w + b - 11, w + b * b - 7
    return 4 * first + 8 * w * w + 2, 4 * w + 4 * b, 2 + 4 * second + 8 * b * b


def _beale(w, b):
    return sum((c - w + w * b ** k) ** 2 for k, c in enumerate(BEALE_C, start=1))


def _beale_grad(w, b):
    gw = gb = 0.0
    for k, c in enumerate(BEALE_C, start=1):
        r = c - w + w * b ** k
        gw = gw + 2 * r * (b ** k - 1)
        gb = gb + 2 * r * k * w * b ** (k - 1)
    return gw, gb


def _beale_hess(w, b):
    ww = wb = bb = 0.0
    for k, c in enumerate(BEALE_C, start=1):
        r = c - w + w * b ** k
        dw, db = b ** k - 1, k * w * b ** (k - 1)
        ww += 2 * dw * dw
        wb += 2 * (db * dw + r * k * b ** (k - 1))
        bb += 2 * (db * db + r * k * (k - 1) * w * b ** (k - 2)) if k > 1 else 2 * db * db
    return ww, wb, bb


def _saddle(w, b):
    return w * w - b * b


def _saddle_grad(w, b):
    return 2 * w, -2 * b


def _saddle_hess(w, b):
    return 2.0, 0.0, -2.0


def _polished(point, grad, hess):
    """A minimum known to a few digits, made exact to rounding by Newton's method on ∇L = 0."""
    w, b = point
    for _ in range(8):
        gw, gb = grad(w, b)
        ww, wb, bb = hess(w, b)
        dw, db = np.linalg.solve([[ww, wb], [wb, bb]], [gw, gb])
        w, b = w - dw, b - db
    return (float(w), float(b))


_HIMMELBLAU_MINIMA = tuple(_polished(p, _himmelblau_grad, _himmelblau_hess)
                           for p in ((3.0, 2.0), (-2.805118, 3.131312), (-3.779310, -3.283186),
                                     (3.584428, -1.848126)))

FUNCTIONS = {
    "rosenbrock": TestFunction("rosenbrock", "Rosenbrock's valley", "L(w, b) = (1 − w)² + 100 (b − w²)²",
                               (-2.0, 2.0, -1.0, 3.0), (-1.2, 1.0), ((1.0, 1.0),), 0.0, (),
                               _rosenbrock, _rosenbrock_grad, _rosenbrock_hess),
    "himmelblau": TestFunction("himmelblau", "Himmelblau's function",
                               "L(w, b) = (w² + b − 11)² + (w + b² − 7)²", (-5.0, 5.0, -5.0, 5.0), (0.0, 0.0),
                               _HIMMELBLAU_MINIMA, 0.0, (),
                               _himmelblau, _himmelblau_grad, _himmelblau_hess),
    "beale": TestFunction("beale", "Beale's function",
                          "L(w, b) = (1.5 − w + wb)² + (2.25 − w + wb²)² + (2.625 − w + wb³)²",
                          (-4.5, 4.5, -4.5, 4.5), (1.0, 1.5), ((3.0, 0.5),), 0.0, (),
                          _beale, _beale_grad, _beale_hess),
    "saddle": TestFunction("saddle", "A saddle", "L(w, b) = w² − b²", (-2.0, 2.0, -2.0, 2.0), (1.5, 0.05),
                           (), None, ((0.0, 0.0),), _saddle, _saddle_grad, _saddle_hess),
}


def test_function(name: str) -> TestFunction:
    """The test surface called ``name``: "rosenbrock", "himmelblau", "beale" or "saddle".

    >>> f = test_function("rosenbrock")
    >>> f.minima, float(f.loss([1.0], 1.0)), f.box
    (((1.0, 1.0),), 0.0, (-2.0, 2.0, -1.0, 3.0))
    """
    try:
        return FUNCTIONS[name]
    except (KeyError, TypeError):
        raise ValueError(f"There is no test surface called {name!r}; choose one of "
                         f"{', '.join(FUNCTIONS)}.") from None


test_function.__test__ = False  # pytest must not take it for a test
