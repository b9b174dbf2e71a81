"""gdviz: gradient descent on linear regression, recorded exactly, for teaching.

ŷ = XW + b, L = (1/m) Σ (ŷ − y)². The public API, re-exported from its modules.
"""
from .data import DataError, Dataset, read_csv, synthetic
from .descent import Sweep, Trajectory, descend, sweep
from .model import (Curvature, curvature, degeneracy, example_gradients, gradient, hessian, loss, optimum,
                    predicted_path, quadratic)
from .optimizers import OPTIMIZERS
from .presets import PRESETS, learning_rate_presets
from .stability import stability_note
from .surface import loss_surface

__all__ = ["DataError", "Dataset", "read_csv", "synthetic", "Sweep", "Trajectory", "descend", "sweep",
           "learning_rate_presets", "PRESETS", "Curvature", "curvature", "degeneracy", "example_gradients",
           "gradient", "hessian", "loss", "optimum", "predicted_path", "quadratic", "OPTIMIZERS", "loss_surface",
           "stability_note"]
