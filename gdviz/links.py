"""Shareable links: the page's whole state as URL query parameters, and back.

``decode`` turns a link's parameters into widget values, checking each one; anything unknown or
malformed is left at its default and named in a note, never raised. ``encode`` writes the state
back, leaving out what equals the default so links stay short. The names are documented in the
README ("Sharing a view").
"""
from __future__ import annotations

import math
from typing import Any, Callable

from .data import SAMPLES
from .optimizers import LABELS

SAMPLE_IDS = {filename.removesuffix(".csv"): title for title, filename in SAMPLES.items()}
BATCH = {"full": "full batch", "mini": "mini-batch", "sgd": "1 (SGD)"}
VIEWS = {"feature": "feature against target", "actual": "predicted against actual"}


def _number(low: float, high: float, integer: bool = False) -> Callable[[str], Any]:
    def read(text: str):
        value = float(text)
        if not math.isfinite(value) or not low <= value <= high:
            raise ValueError
        if integer:
            if value != int(value):
                raise ValueError
            return int(value)
        return value
    return read


def _choice(options: dict) -> Callable[[str], Any]:
    def read(text: str):
        return options[text]
    return read


def _flag(text: str) -> bool:
    if text not in ("0", "1"):
        raise ValueError
    return text == "1"


def _runs(text: str) -> list[tuple[str, float]]:
    runs = []
    for part in text.split(","):
        name, rate = part.split(":")
        if name not in LABELS:
            raise ValueError
        runs.append((name, _number(1e-9, 100.0)(rate)))
    if not 1 <= len(runs) <= 3:
        raise ValueError
    return runs


# parameter -> (session key, reader, what it is, for the note)
FIELDS: dict[str, tuple[str, Callable[[str], Any], str]] = {
    "data": ("source", lambda t: "Synthetic data" if t == "synthetic" else SAMPLE_IDS[t], "data set"),
    "n": ("n", _number(10, 1000, integer=True), "number of points (10–1000)"),
    "w": ("true_w", _number(-5, 5), "true weight (−5–5)"),
    "b": ("true_b", _number(-5, 5), "true bias (−5–5)"),
    "noise": ("noise", _number(0, 5), "noise (0–5)"),
    "seed": ("seed", _number(0, 1_000_000, integer=True), "seed"),
    "offset": ("offset", _number(-10, 50), "offset of x (−10–50)"),
    "std": ("standardise", _flag, "standardise (0 or 1)"),
    "wf": ("feature", _number(0, 100, integer=True), "weight on the surface"),
    "view": ("data_view", _choice(VIEWS), "data view (feature or actual)"),
    "opt": ("optimizer", lambda t: t if t in LABELS else {}[t], "optimizer"),
    "lr": ("lr", _number(1e-9, 100.0), "learning rate"),
    "steps": ("steps", _number(1, 2000, integer=True), "steps (1–2000)"),
    "w0": ("w0", _number(-1e6, 1e6), "start w₀"),
    "b0": ("b0", _number(-1e6, 1e6), "start b₀"),
    "batch": ("batch_mode", _choice(BATCH), "batch (full, mini or sgd)"),
    "bs": ("batch_size", _number(2, 10_000_000, integer=True), "mini-batch size"),
    "tol": ("tol", _number(1e-12, 1.0), "tolerance"),
    "cmp": ("compared", _runs, "compared runs (e.g. momentum:0.1,adam:0.1)"),
    "log": ("log_loss", _flag, "log scale (0 or 1)"),
    "equal": ("equal_scales", _flag, "equal scales (0 or 1)"),
    "present": ("present", _flag, "presenter mode (0 or 1)"),
    "step": ("step", _number(0, 1_000_000, integer=True), "step"),
}
FEATURE_LISTS = ("features", "target")  # sample sets: their column choices, checked by the page


def decode(params: dict[str, str]) -> tuple[dict[str, Any], list[str]]:
    """(session values, notes) from a link's parameters; each bad or unknown one gives a note.

    >>> decode({"lr": "0.05", "opt": "adam", "steps": "many"})
    ({'lr': 0.05, 'optimizer': 'adam'}, ['“steps=many” is not a valid steps (1–2000); using the default.'])
    """
    values: dict[str, Any] = {}
    notes = []
    for name, text in params.items():
        text = str(text)[:2000]
        if name in FEATURE_LISTS:
            values[name] = [part for part in text.split(",") if part] if name == "features" else text
            continue
        if name not in FIELDS:
            notes.append(f"“{name[:40]}” is not a setting gdviz knows; ignored.")
            continue
        key, read, what = FIELDS[name]
        try:
            value = read(text)
        except (ValueError, KeyError, TypeError):
            notes.append(f"“{name}={text[:40]}” is not a valid {what}; using the default.")
            continue
        if key == "compared":
            values["compare_n"] = len(value)
            for i, (optimizer, rate) in enumerate(value, start=1):
                values[f"cmp_opt_{i}"], values[f"cmp_lr_{i}"] = optimizer, rate
        elif key == "tol":
            values["use_tol"], values["tol"] = True, value
        else:
            values[key] = value
    return values, notes


def encode(state: dict[str, Any], defaults: dict[str, Any]) -> dict[str, str]:
    """Query parameters for the page's state, leaving out values equal to their defaults."""
    params: dict[str, str] = {}
    titles = {title: sample_id for sample_id, title in SAMPLE_IDS.items()}
    for name, (key, _, _) in FIELDS.items():
        if key in ("compared", "tol", "step") or key not in state:
            continue
        value = state[key]
        if value == defaults.get(key):
            continue
        if key == "source":
            if value not in titles and value != "Synthetic data":
                continue  # an uploaded file cannot travel in a link
            params[name] = titles.get(value, "synthetic")
        elif key == "batch_mode":
            params[name] = {v: k for k, v in BATCH.items()}[value]
        elif key == "data_view":
            params[name] = {v: k for k, v in VIEWS.items()}[value]
        elif isinstance(value, bool):
            params[name] = "1" if value else "0"
        elif isinstance(value, float):
            params[name] = f"{value:.6g}"
        else:
            params[name] = str(value)
    if state.get("use_tol"):
        params["tol"] = f"{state['tol']:g}"
    runs = [(state.get(f"cmp_opt_{i}"), state.get(f"cmp_lr_{i}")) for i in range(1, state.get("compare_n", 0) + 1)]
    if runs:
        params["cmp"] = ",".join(f"{name}:{rate:.6g}" for name, rate in runs)
    for name in FEATURE_LISTS:
        if state.get(name):
            params[name] = ",".join(state[name]) if name == "features" else str(state[name])
    return params
