"""Shared data for the tests: small, seeded, and including the hard case of features far from zero."""
import contextlib

import numpy as np
import pytest

from gdviz import Dataset, synthetic


# The references work in extended precision (long double): float64 inputs are exact in it, so they
# are the definition computed with extra digits, not merely another float64 rounding.
EXTENDED = np.longdouble


def direct_loss(X, y, W, b):
    """The definition, written out: (1/m) Σ (XW + b − y)²."""
    residual = _residual(X, y, W, b)
    return float(np.mean(residual ** 2))


def direct_gradient(X, y, W, b):
    """The lecture's vector form, written out: ((2/m) Xᵀ(XW + b − y), (2/m) Σ (XW + b − y))."""
    residual = _residual(X, y, W, b)
    m = len(y)
    X = np.asarray(X, dtype=EXTENDED)
    return (2 * (X.T @ residual) / m).astype(np.float64), float(2 * residual.sum() / m)


def _residual(X, y, W, b):
    X, y, W = (np.asarray(v, dtype=EXTENDED) for v in (X, y, W))
    return X @ W + EXTENDED(b) - y


@pytest.fixture(params=["one feature", "offset feature", "three features", "far from zero"])
def data(request):
    return {
        "one feature": lambda: synthetic(n=40, weights=2.0, bias=1.0, noise=1.0, seed=1),
        "offset feature": lambda: synthetic(n=60, weights=-1.5, bias=3.0, noise=0.5, seed=2, x_offset=5.0),
        "three features": lambda: synthetic(n=80, weights=[1.0, -2.0, 0.5], bias=0.3, seed=3),
        "far from zero": lambda: Dataset(10_000 + np.random.default_rng(4).uniform(-2, 2, 200),
                                         3.0 * np.random.default_rng(4).uniform(-2, 2, 200) - 7.0
                                         + np.random.default_rng(5).standard_normal(200)),
    }[request.param]()


# ---- one Streamlit server and one Chromium for all the browser modules ----
# Started the first time a test asks for them, so a run without browser tests starts neither; the
# server is stopped at the end of the session, Chromium when the browser modules are done. The code and the skip logic are tests/test_browser.py's: every
# browser module imports it first, and it skips loudly (or fails under GDVIZ_REQUIRE_BROWSER=1) when
# Chromium or playwright is missing, before any of these can start.
@pytest.fixture(scope="session")
def browser_server(tmp_path_factory):
    from test_browser import serving
    with serving(tmp_path_factory.mktemp("streamlit") / "server.log") as server:
        yield server


@pytest.fixture(scope="session")
def app_url(browser_server):
    return browser_server.url


class _Chromium:
    """The shared Chromium, launched when a module first asks for it and closed as soon as the next
    test is not a browser module's: Playwright's sync API runs an event loop in this thread while it
    is open, and later tests that run their own (asyncio.run, another sync_playwright) must not meet it."""

    def __init__(self):
        self.browser, self._open = None, None

    def get(self):
        if self.browser is None or not self.browser.is_connected():
            self.close()
            from test_browser import launched
            self._open = contextlib.ExitStack()
            self.browser = self._open.enter_context(launched())
        return self.browser

    def close(self):
        stack, self._open, self.browser = self._open, None, None
        if stack is not None:
            stack.close()


_CHROMIUM = _Chromium()


def _in_browser_module(item) -> bool:
    return item is not None and item.nodeid.split("::", 1)[0].rsplit("/", 1)[-1].startswith("test_browser")


@pytest.fixture(scope="module")
def chromium():
    return _CHROMIUM.get()


@pytest.hookimpl(trylast=True)   # after the module's own fixtures (its contexts and tabs) are torn down
def pytest_runtest_teardown(item, nextitem):
    if not _in_browser_module(nextitem):
        _CHROMIUM.close()


def pytest_sessionfinish(session):
    _CHROMIUM.close()
