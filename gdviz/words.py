"""Numbers (and user text) as the page writes them, in one place.

    nice(0.123456)     '0.1235'    four significant digits: the page's controls, captions and titles
    amount(inf)        'infinite'  nice, but "infinite" / "none" where a metric could be inf or NaN
    short(-1.976)      '−1.98'     three significant digits and a true minus sign (f"{value:.3g}"): the
                                   labels on the figures (eigen-directions, their factors)
    number(1.234e-4)   '1.23×10⁻⁴' short, with ×10ⁿ instead of e-notation when very large or small: the
                                   sentences (gdviz.stability)

    markdown_text("a_b") "a\\_b"      user text for a markdown element: shown as written, never a link

Pure Python, no imports from gdviz: every module may use it.
"""
from __future__ import annotations

import math
import re

_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def nice(value: float) -> str:
    """A number as the page shows it: four significant digits (f"{value:.4g}").

    >>> nice(0.123456), nice(2.0), nice(1234567.0)
    ('0.1235', '2', '1.235e+06')
    """
    return f"{float(value):.4g}"


def amount(value: float) -> str:
    """nice(value), with "infinite" rather than "inf" and "none" rather than "nan" (a metric).

    >>> amount(float("inf")), amount(float("nan")), amount(0.5)
    ('infinite', 'none', '0.5')
    """
    value = float(value)
    if math.isnan(value):
        return "none"
    if math.isinf(value):
        return "infinite" if value > 0 else "minus infinite"
    return nice(value)


def short(value: float) -> str:
    """A number in a figure's label: three significant digits and a true minus sign.

    >>> short(-1.976), short(0.4), short(-11634.2)
    ('−1.98', '0.4', '−1.16e+04')
    """
    return f"{float(value):.3g}".replace("-", "−")


def number(value: float) -> str:
    """A number in a label or a sentence: three significant digits, a true minus sign, ×10ⁿ when very
    large or small (0.336, −1.98, 3.8, 1.2×10⁻⁴, 2.5×10⁷); ∞, −∞ and "not a number" for the rest.

    >>> number(0.33557), number(-1.976), number(1.234e-4), number(1234.0)
    ('0.336', '−1.98', '1.23×10⁻⁴', '1.23×10³')
    """
    value = float(value)
    if not math.isfinite(value):
        return "∞" if value > 0 else ("−∞" if value < 0 else "not a number")
    if value == 0:
        return "0"
    sign, size = ("−" if value < 0 else ""), abs(value)
    short = f"{size:.3g}"
    if size >= 1e5 or size < 1e-3 or "e" in short:
        mantissa, exponent = f"{size:.2e}".split("e")
        mantissa = mantissa.rstrip("0").rstrip(".")
        return f"{sign}{mantissa}×10{str(int(exponent)).translate(_SUPERSCRIPT)}"
    return sign + short


def factor(value: float) -> str:
    """A per-step factor such as 1 − αλ, as number() writes it, but with the digits it takes never to
    read as ±1 when it is not: a factor of 0.99998 barely shrinks, and "1" would say it never does.

    >>> factor(0.99998), factor(-1.0004), factor(1.0), factor(0.1), factor(0.9991)
    ('0.99998', '−1.0004', '1', '0.1', '0.999')
    """
    value, text = float(value), number(value)
    if text.lstrip("−") != "1" or abs(value) == 1.0:
        return text
    decimals = min(17, math.ceil(-math.log10(abs(abs(value) - 1.0))) + 1)
    return ("−" if value < 0 else "") + f"{abs(value):.{decimals}f}".rstrip("0")


_MARKDOWN_SIGNS = str.maketrans({c: "\\" + c for c in "\\`*_{}[]()#+-.!|<>~$:=&%^\"'@/,;?"})
# Streamlit's markdown turns a bare address (https://…, www.…, a@b.c) into a link even when its signs
# are escaped: an invisible word joiner in "://", "www." and after "@" keeps it text.
_AUTOLINK = re.compile(r"(?i)(?<=:)(?=//)|(?<=www)(?=\.)|(?<=@)")


def markdown_text(text) -> str:
    r"""User text (a file or column name, a link's value) for a markdown element: every ASCII
    punctuation sign escaped, so it shows as written and never becomes a link, an image or formatting.

    >>> print(markdown_text("a_b [x](y)"))
    a\_b \[x\]\(y\)
    """
    return _AUTOLINK.sub("\u2060", str(text)).translate(_MARKDOWN_SIGNS)
