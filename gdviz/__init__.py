"""gdviz: gradient descent on linear regression, recorded exactly, for teaching.

ŷ = XW + b, L = (1/m) Σ (ŷ − y)²; also logistic regression (p = σ(XW + b), objective="logistic"), a
ridge penalty λ‖W‖² (l2=λ), learning-rate schedules (schedule=...) and the classic test surfaces
(test_function(name)). The public API, re-exported from its modules.

The page's pipeline: ``PageState`` (what is on screen, one frozen value with its link codec) →
``lecture(state)`` → ``Lecture`` (the runs, the sweep, the theory, every sentence, the per-step
frames every picture is drawn from).
"""
from .data import DataError, Dataset, read_csv, synthetic
from .descent import Sweep, Trajectory, descend, sweep
from .model import (OBJECTIVES, Curvature, curvature, degeneracy, example_gradients, gradient, hessian, loss,
                    optimum, predicted_path, quadratic)
from .optimizers import DESCRIPTIONS, OPTIMIZERS, PAGE_HYPER, hyper_settings
from .presets import PRESETS, learning_rate_presets, settings_that_fit
from .schedules import SCHEDULES, learning_rates
from .stability import stability_note
from .surface import loss_surface
from .test_functions import TestFunction, test_function
from .state import PageState
from .pipeline import Lecture, lecture  # noqa: E402 - the top floor: it draws on everything above
from .notebook import show  # the views in a notebook (IPython only when displaying)

__all__ = ["DataError", "Dataset", "read_csv", "synthetic", "Sweep", "Trajectory", "descend", "sweep",
           "learning_rate_presets", "settings_that_fit", "PRESETS", "Curvature", "curvature", "degeneracy",
           "example_gradients", "gradient", "hessian", "loss", "optimum", "predicted_path", "quadratic",
           "OBJECTIVES", "OPTIMIZERS", "SCHEDULES", "learning_rates", "loss_surface", "TestFunction", "test_function",
           "stability_note", "DESCRIPTIONS", "PAGE_HYPER", "hyper_settings", "PageState", "Lecture", "lecture", "show"]
