"""gdviz: gradient descent on linear regression, recorded exactly, for teaching.

ŷ = XW + b, L = (1/m) Σ (ŷ − y)². The public API, re-exported from its modules.
"""
from .data import DataError, Dataset, synthetic
from .descent import Trajectory, descend
from .model import Curvature, curvature, gradient, hessian, loss, optimum, quadratic
from .optimizers import OPTIMIZERS
from .surface import loss_surface

__all__ = ["DataError", "Dataset", "synthetic", "Trajectory", "descend", "Curvature", "curvature", "gradient", "hessian",
           "loss", "optimum", "quadratic", "OPTIMIZERS", "loss_surface"]
