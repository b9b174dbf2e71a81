"""The lecture views in a notebook: ``gdviz.show(state_or_run)``.

What is shown is ``gdviz.web.standalone_html(spec)``, the offline HTML export: plotly.js and the
frontend modules (the page's own) inlined, the run embedded, the step control, Play and the maths
panel working in the browser with no server and no network. It sits in an ``<iframe srcdoc>``
sandboxed to scripts (and downloads, for its PNG button), so its modules run apart from the
notebook's own JavaScript: no global of either reaches the other, and its keys stay inside it.
IPython is needed only to display; ``import gdviz`` never imports it.
"""
from __future__ import annotations

import html
import sys
from pathlib import Path

from . import web
from .descent import Trajectory
from .pipeline import Lecture, lecture
from .state import PageState

# The page's cells (gdviz/web/frontend/index.html): the step bar and note, the 3-D view and the
# contours (620 px), the data, the loss and the maths (460 px), the eigen view (400 px) and the sweep
# (420 px) when the spec has them, with their gaps; measured in Chromium at a notebook's width.
_BASE_HEIGHT, _OPTIONAL_HEIGHT = 1210, {"eigen": 410, "sweep": 430}


def default_height(spec: dict) -> int:
    """The iframe's height in pixels for ``spec``: every view in sight without a scroll bar."""
    return _BASE_HEIGHT + sum(h for name, h in _OPTIONAL_HEIGHT.items() if spec["figures"].get(name))


class Views:
    """The step-controlled views of one spec, for a notebook (``_repr_html_``) or a file (``save``).

    ``spec`` is what gdviz.web.lecture_spec returns (``Lecture.spec``); ``page`` the standalone page.
    """

    def __init__(self, spec: dict, *, height: int | None = None, title: str = "gdviz — gradient descent"):
        self.spec, self.title = spec, title
        self.height = int(height) if height is not None else default_height(spec)
        self._shown_in: int | None = None  # the IPython cell show() displayed this in

    @property
    def page(self) -> str:
        """The views as one self-contained HTML page (what the iframe holds)."""
        return web.standalone_html(self.spec, self.title)

    def save(self, path) -> Path:
        """Write the page to ``path`` (it opens offline in any browser); returns the path."""
        path = Path(path)
        path.write_text(self.page, encoding="utf-8")
        return path

    def _repr_html_(self) -> str:
        return (f'<iframe title="{html.escape(self.title)}: step-controlled views" '
                f'srcdoc="{html.escape(self.page, quote=True)}" sandbox="allow-scripts allow-downloads" '
                f'style="width: 100%; height: {self.height}px; border: 0;" loading="eager"></iframe>')

    def __repr__(self) -> str:
        steps = self.spec.get("run", {}).get("last", "?")
        return f"<gdviz views: {self.title}, {steps} steps>"

    def _ipython_display_(self) -> None:
        # show() displays at once; when its result is also a cell's last expression, IPython calls
        # this again in the same cell: the views are drawn once.
        shell = _shell()
        if shell is not None and self._shown_in is not None and self._shown_in == shell.execution_count:
            return
        from IPython.display import display  # IPython only when there is a notebook to show in
        display({"text/html": self._repr_html_(), "text/plain": repr(self)}, raw=True)


def _shell():
    """The running IPython shell, or None; never imports IPython (a notebook has already)."""
    ipython = sys.modules.get("IPython")
    return ipython.get_ipython() if ipython is not None else None


def views(what, *, data=None, height: int | None = None, title: str | None = None, **options) -> Views:
    """The views of ``what`` without displaying them: see ``show``."""
    if isinstance(what, PageState):
        what = lecture(what.replace(**options) if options else what)
        options = {}
    if isinstance(what, Lecture):
        if options:
            raise TypeError(f"show() of a Lecture takes no options ({', '.join(options)}): "
                            "change the PageState and call gdviz.lecture again.")
        if what.spec is None:
            why = " ".join(message.text for message in what.messages) or "this state has no run to draw"
            raise ValueError(f"Nothing to show: {why}")
        return Views(what.spec, height=height, title=title or what.title or "gdviz — gradient descent")
    if isinstance(what, Trajectory):
        if data is None:
            raise TypeError("show(run) needs the data it was run on: gdviz.show(run, data=data).")
        return Views(web.lecture_spec(data, what, **options), height=height, title=title or "gdviz — gradient descent")
    if isinstance(what, dict) and "figures" in what:  # a spec, e.g. Lecture.spec
        return Views(what, height=height, title=title or "gdviz — gradient descent")
    raise TypeError(f"gdviz.show takes a gdviz.PageState, a gdviz.Lecture or a gdviz.Trajectory "
                    f"(with data=...), not {type(what).__name__}.")


def show(what, *, data=None, height: int | None = None, title: str | None = None, **options) -> Views:
    """Show the step-controlled views in a notebook (Jupyter, VS Code, Colab): the 3-D surface with
    the path, the contours, the data with the fitted line, the loss and the maths panel, one step
    control for all of them, offline, from the same frontend modules as the page.

    ``what`` is one of
    - a ``gdviz.PageState`` (what the page shows; ``options`` change its fields, e.g. ``lr=0.5``),
    - a ``gdviz.Lecture`` (``gdviz.lecture(state)``),
    - a ``gdviz.Trajectory`` with ``data=`` the data it ran on (``options`` go to
      ``gdviz.web.lecture_spec``: ``step``, ``log_loss``, ``others``, ``pull``, ``eigen`` ...).

    ``height`` is the frame's in pixels (default: all the views). Returns the ``Views`` (its
    ``save(path)`` writes the page as a file). Outside IPython nothing is displayed.

    >>> import gdviz
    >>> data = gdviz.synthetic(n=30, seed=1)
    >>> v = gdviz.show(gdviz.descend(data, lr=0.1, steps=20), data=data)
    >>> v
    <gdviz views: gdviz — gradient descent, 20 steps>
    >>> 'id="contour"' in v.page and "GDVIZ_SPEC" in v.page
    True
    """
    shown = views(what, data=data, height=height, title=title, **options)
    shell = _shell()
    if shell is not None:
        from IPython.display import display
        display(shown)
        shown._shown_in = shell.execution_count
    return shown

