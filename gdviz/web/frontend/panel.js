"use strict";
// The maths panel and the note above the views. Python describes the panel's rows (text pieces and
// this step's numbers, resolved by Frames.stepFrame); this file formats the numbers and puts every
// piece in the page as text: names from a file or a link can never become markup.
const Panel = (() => {
  const SUP = {"-": "⁻", "0": "⁰", "1": "¹", "2": "²", "3": "³", "4": "⁴", "5": "⁵", "6": "⁶", "7": "⁷",
               "8": "⁸", "9": "⁹"};

  // A number as the lecture writes it: 5 significant digits, ×10ⁿ when very large or small, and a
  // true minus sign.
  function fmt(v, digits) {
    if (v === null || v === undefined || !isFinite(v)) return "—";
    digits = digits || 5;
    if (v === 0) return "0";
    const a = Math.abs(v), sign = v < 0 ? "−" : "";
    if (a >= 1e5 || a < 1e-3) {
      const [mant, exp] = a.toExponential(digits - 1).split("e");
      return `${sign}${trim(mant)}×10${String(Number(exp)).split("").map((c) => SUP[c] || c).join("")}`;
    }
    return sign + trim(a.toPrecision(digits));
  }

  function trim(s) {
    return s.includes(".") ? s.replace(/0+$/, "").replace(/\.$/, "") : s;
  }

  // An element holding text nodes and elements (element.append of strings: never parsed as markup).
  function el(tag, cls, parts) {
    const node = document.createElement(tag);
    if (cls) node.className = cls;
    node.append(...parts);
    return node;
  }

  function number(v) {
    return el("span", "n", [fmt(v)]);
  }

  function nodes(part) {
    if (typeof part === "string") return [part];
    if ("span" in part) return [el("span", part.span, part.parts.flatMap(nodes))];
    if ("vec" in part) {
      if (part.vec.length === 1) return [number(part.vec[0])];
      return ["[", ...part.vec.flatMap((v, i) => (i ? [", ", number(v)] : [number(v)])), "]"];
    }
    if ("n" in part) return part.paren && part.n < 0 ? ["(", number(part.n), ")"] : [number(part.n)];
    return [fmt(part.fmt)];
  }

  function row(spec) {
    return el("div", spec.cls ? `eq ${spec.cls}` : "eq", spec.parts.flatMap(nodes));
  }

  function metric(spec) {
    return el("div", "metric", [el("div", "k", [spec.label]), el("div", "v", [fmt(spec.value, spec.digits)])]);
  }

  // The derivation's rows (frames.py: class "derive") belong to a scene that reveals the maths.
  function derivation(spec) {
    return String(spec.cls || "").split(" ").includes("derive");
  }

  // The panel at a step: frame.panel from Frames.stepFrame. ``reveal`` ({on, shown}): the maths line
  // by line, the first ``shown`` rows (the derivation among them) and a "next line" to click; off,
  // every row but the derivation's. A row not shown is in the panel, hidden (its numbers are the
  // frame's, as every row's).
  function render(panel, reveal) {
    const on = Boolean(reveal && reveal.on);
    const rows = panel.rows.map((spec, i) => {
      const node = row(spec);
      node.hidden = on ? i >= reveal.shown : derivation(spec);
      return node;
    });
    if (on && reveal.shown < panel.rows.length) {
      const left = panel.rows.length - reveal.shown;
      const next = el("div", "eq reveal-next", [`▸ next line: press r or click here (${left} more)`]);
      next.setAttribute("role", "button");
      next.setAttribute("tabindex", "0");
      rows.push(next);
    }
    document.getElementById("maths").replaceChildren(...rows);
    document.getElementById("metrics").replaceChildren(...panel.metrics.map(metric));
  }

  // The sentence above the views: the run, or that it diverged or converged.
  function note(spec) {
    const run = spec.run, node = document.getElementById("note"), others = spec.others || [];
    const chosen = (run.hyper || []).map((h) => `, ${h.symbol} = ${fmt(h.value)}`).join("");  // μ, β₁, β₂
    let text = `${run.optimizer_label}, α = ${fmt(run.lr)}${chosen}, ${run.steps} steps recorded.`;
    if (others.length) text += ` Compared: ${others.map((o) => o.label).join("; ")}.`;
    if (run.diverged_at !== null) text = divergedText(run);
    else if (run.converged_at !== null) text = `Converged at step ${run.converged_at}: |∇L| fell below the tolerance.`;
    node.className = run.diverged_at !== null ? "bad" : "";
    node.textContent = text;
  }

  function divergedText(run) {
    let text = run.note ? `Diverged at step ${run.diverged_at}: ${run.note}`
      : `Diverged at step ${run.diverged_at}: the loss blew up there, so the run keeps steps 0–${run.steps}.`;
    if (run.shown < run.steps + 1) {
      const many = run.steps > run.shown;
      text += ` The views show steps 0–${run.shown - 1}; step${many ? "s" : ""} ` +
              `${run.shown}${many ? "–" + run.steps : ""} fl${many ? "y" : "ies"} off the chart.`;
    }
    return text;
  }

  return {fmt, render, note};
})();
