"use strict";
// Each step's picture, from the recipes gdviz/web/frames.py writes into the spec: which columns of
// which run every moving trace and the maths panel read at step k. This file mirrors step_frame
// there, by slicing and indexing only. The formulas computed here (they cannot be sent for every
// step) are written once each: predicted (ŷ = X W + b of the rows drawn), sigmoid (p = σ(X W + b):
// logistic regression's fitted curve and probabilities), sliceAt (the (w_f, b)
// slice of the surface with several features), press (its heights as the 3-D view draws them) and
// pull (each example's pull: its own −gradient from the current point, one common factor per step).
// tests/test_browser_parity.py compares stepFrame with Python's step_frame at several steps.
const Frames = (() => {
  function decode(a) {
    if (a === null || a === undefined || !a.bdata) return null;
    const bin = atob(a.bdata), bytes = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    const values = new Float64Array(bytes.buffer);
    const shape = a.shape || [values.length];
    return {values: values, width: shape.length > 1 ? shape[1] : 1};
  }

  function decodeColumns(source, names) {
    const columns = {};
    for (const name of names) {
      const column = decode(source[name]);
      if (column) columns[name] = column;
    }
    return {columns: columns, parts: {}};
  }

  // The spec's runs, rows, slice and recipes, decoded once per spec.
  function load(spec) {
    const recipes = spec.frames, others = spec.others || [];
    const runs = [decodeColumns(spec.timeline, recipes.columns[0])]
      .concat(others.map((other, i) => decodeColumns(other, recipes.columns[i + 1])));
    const rows = {x: decode(spec.timeline.x), y: decode(spec.timeline.y), X: decode(spec.timeline.X_rows),
                  pullX: decode(spec.timeline.pull_X), pullY: decode(spec.timeline.pull_y),
                  curve_X: decode(spec.timeline.curve_X)};
    return {runs: runs, clocks: recipes.clocks, rows: rows, slice: loadSlice(spec.run.slice),
            traces: recipes.traces, annotations: recipes.annotations, panel: recipes.panel, slices: {}};
  }

  function loadSlice(slice) {
    if (!slice) return null;
    const out = Object.assign({}, slice);
    for (const key of ["p", "q", "r", "w_values", "b_values"]) out[key] = decode(slice[key]).values;
    return out;
  }

  // Step k on one run's clock: j, the step shown ("view": the last step in view; "last": the last
  // recorded step), and the step after it.
  function clock(model, recipe, k) {
    const limit = model.clocks[recipe.run][recipe.clock];
    const j = Math.max(0, Math.min(k, limit));
    return {model: model, run: model.runs[recipe.run], runIndex: recipe.run, j: j, next: Math.min(j + 1, limit)};
  }

  // A column by name: "W[1]" is the second component of the 2-D column W, "#" the step itself.
  function column(at, name) {
    if (name === "#") return {values: Float64Array.from({length: at.j + 2}, (_, i) => i), width: 1};
    const run = at.run;
    if (run.columns[name]) return run.columns[name];
    if (!(name in run.parts)) run.parts[name] = component(run.columns, name);
    return run.parts[name];
  }

  function component(columns, name) {
    const found = /^(.+)\[(\d+)\]$/.exec(name);
    const whole = found && columns[found[1]];
    if (!whole) return null;
    const i = Number(found[2]), n = whole.values.length / whole.width, out = new Float64Array(n);
    for (let t = 0; t < n; t++) out[t] = whole.values[t * whole.width + i];
    return {values: out, width: 1};
  }

  function span(kind, at) {
    if (kind === "upto") return [0, at.j + 1];
    if (kind === "before") return [0, at.j];
    return [at.j, at.j + 1];
  }

  function sliced(at, name, kind) {
    const [lo, hi] = span(kind, at);
    return Array.from(column(at, name).values.subarray(lo, hi));
  }

  // "k", "next" or a fixed row (the "hyper" column).
  function index(at, which) {
    if (typeof which === "number") return which;
    return which === "k" ? at.j : at.next;
  }

  // One recipe expression at step j (see gdviz/web/frames.py for the list).
  function evaluate(expr, at) {
    const op = expr[0];
    if (op === "upto" || op === "before" || op === "at") return sliced(at, expr[1], op);
    if (op === "pick") return expr.slice(1).map(([name, which]) => column(at, name).values[index(at, which)]);
    if (op === "rows") return rowsOf(at, expr[1], expr[2]);
    if (op === "interleave") return interleave(evaluate(expr[1], at), evaluate(expr[2], at));
    if (op === "data") return Array.from(at.model.rows[expr[1]].values);
    if (op === "predicted") return predicted(at.model.rows.X, column(at, "W"), column(at, "b").values[at.j], at.j);
    if (op === "sigmoid") {
      const W = column(at, expr[2]);
      return predicted(at.model.rows[expr[1]], W, column(at, "b").values[at.j], at.j).map(sigmoid);
    }
    if (op === "slice") return expr[1] === "drawn" ? drawnSlice(at.model, at.j, expr[2]) : sliceAt(at.model, at.j)[expr[1]];
    if (op === "stepname") return `${expr[1]}${at.j}`;
    if (op === "pull") return pull(at, expr[1], expr[2], expr[3]);
    throw new Error(`unknown recipe expression ${op}`);
  }

  function rowsOf(at, kind, names) {
    const [lo, hi] = span(kind, at), columns = names.map((name) => column(at, name).values), out = [];
    for (let t = lo; t < hi; t++) out.push(columns.map((values) => values[t]));
    return out;
  }

  function interleave(first, second) {
    return first.flatMap((value, i) => [value, second[i], null]);
  }

  // ŷ = X W_k + b_k for the rows drawn (X in the fitted units), summed feature by feature.
  function predicted(X, W, b, k) {
    const d = X.width, n = X.values.length / d, out = new Array(n);
    for (let i = 0; i < n; i++) {
      let v = b;
      for (let j = 0; j < d; j++) v += X.values[i * d + j] * W.values[k * d + j];
      out[i] = v;
    }
    return out;
  }

  // frames.sigmoid: σ(z) = 1/(1 + e^−z) for z ≥ 0, e^z/(1 + e^z) below (no overflow).
  function sigmoid(z) {
    const e = Math.exp(-Math.abs(z));
    return z >= 0 ? 1 / (1 + e) : e / (1 + e);
  }

  // ["pull", axis, sign, f]: the pull rows' arrows whose residual r = ŷ − y has this sign, as
  // [start, tip, null] (nulls for the others, so point 3i + 1 is row i's tip); start (W_j[f], b_j),
  // tip = start − s_j · 2r (x_f, 1), s_j the column "pull_scale" (frames.pull_columns).
  function pull(at, axis, sign, f) {
    const X = at.model.rows.pullX, y = at.model.rows.pullY.values, W = column(at, "W");
    const b = column(at, "b").values[at.j], yhat = predicted(X, W, b, at.j);
    const factor = column(at, "pull_scale").values[at.j];
    const start = axis === "w" ? W.values[at.j * W.width + f] : b, out = [];
    for (let i = 0; i < yhat.length; i++) {
      const r = yhat[i] - y[i];
      if (sign > 0 ? r > 0 : r < 0) {
        out.push(start, start - factor * (axis === "w" ? 2 * r * X.values[i * X.width + f] : 2 * r), null);
      } else out.push(null, null, null);
    }
    return out;
  }

  // Several features: the (w_f, b) slice through the other weights at step j, from
  // model.slice_coefficients: L = max(S_ff u² + 2 p u + q, 0) + (x̄_f u + r + v)² + L*,
  // u = w − w*_f, v = b − b*. Also its log for the contours and its heights as drawn (press).
  // Kept for the last step asked.
  function sliceAt(model, j) {
    if (model.slices.j === j) return model.slices.value;
    const c = model.slice, p = c.p[j], q = c.q[j], r = c.r[j], z = [], logZ = [];
    for (const bValue of c.b_values) {
      const row = [], logRow = [], v = bValue - c.b_opt;
      for (const wValue of c.w_values) {
        const u = wValue - c.w_opt, mean = c.x_f * u + r + v;
        const loss = Math.max(c.s_ff * u * u + 2 * p * u + q, 0) + mean * mean + c.loss_min;
        row.push(loss);
        logRow.push(Math.log10(loss + 1e-300));
      }
      z.push(row);
      logZ.push(logRow);
    }
    model.slices = {j: j, value: {z: z, log_z: logZ}};
    return model.slices.value;
  }

  // The slice as the 3-D view draws it: pressed below cap times the main path's highest lifted
  // point in view.
  function drawnSlice(model, j, cap) {
    const heights = model.runs[0].columns.z.values, last = model.clocks[0].view;
    let highest = -Infinity;
    for (let t = 0; t <= last; t++) highest = Math.max(highest, heights[t]);
    return press(sliceAt(model, j).z, cap * highest);
  }

  // frames.press: heights above 92% of top pressed smoothly into the last 8% (a rim, not a wall).
  function press(z, top) {
    const low = Math.min(...z.map((row) => Math.min(...row))), band = 0.08 * (top - low), knee = top - band;
    if (!(band > 0)) return z.map((row) => row.slice());
    return z.map((row) => row.map((v) => (v > knee ? top - band * Math.exp(-(v - knee) / band) : v)));
  }

  // A number: a literal, or [column, "k"|"next"] (a row of a 2-D column is a vector).
  function valueOf(at, ref) {
    if (!Array.isArray(ref)) return ref;
    const found = column(at, ref[0]), i = index(at, ref[1]);
    if (!found || i >= found.values.length / found.width) return null;
    if (found.width === 1) return found.values[i];
    return Array.from(found.values.subarray(i * found.width, (i + 1) * found.width));
  }

  function arrow(spec, at) {
    const [x0, y0] = spec.from.map((ref) => valueOf(at, ref)), [x1, y1] = spec.to.map((ref) => valueOf(at, ref));
    if (x0 === x1 && y0 === y1) return null;
    return Object.assign({x: x1, y: y1, ax: x0, ay: y0, xref: "x", yref: "y", axref: "x", ayref: "y", text: "",
                          showarrow: true}, spec.style);
  }

  function piece(part, at) {
    if (typeof part === "string") return part;
    if ("span" in part) return {span: part.span, parts: part.parts.map((p) => piece(p, at))};
    if ("vec" in part) return {vec: [].concat(valueOf(at, part.vec))};
    if ("n" in part) return part.paren ? {n: valueOf(at, part.n), paren: true} : {n: valueOf(at, part.n)};
    return {fmt: part.fmt};
  }

  function panelAt(model, k) {
    const panel = model.panel, at = clock(model, panel, k);
    const hasNext = at.j < model.clocks[panel.run].last;
    const rows = panel.rows.filter((row) => row.when === "always" || (row.when === "next") === hasNext)
      .map((row) => ({cls: row.cls, parts: row.parts.map((part) => piece(part, at))}));
    const metrics = panel.metrics.map((m) => ({label: m.label, value: valueOf(at, m.value), digits: m.digits || 5}));
    return {rows: rows, metrics: metrics};
  }

  // Every moving trace's data, the arrows and the maths panel's numbers at step k.
  function stepFrame(model, k) {
    const traces = {}, annotations = {};
    for (const recipe of model.traces) {
      const at = clock(model, recipe, k), attrs = {};
      for (const [name, expr] of Object.entries(recipe.attrs)) attrs[name] = evaluate(expr, at);
      (traces[recipe.view] = traces[recipe.view] || {})[recipe.uid] = attrs;
    }
    for (const recipe of model.annotations) {
      const at = clock(model, recipe, k);
      annotations[recipe.view] = recipe.arrows.map((a) => arrow(a, at)).filter((a) => a !== null);
    }
    return {k: k, traces: traces, annotations: annotations, panel: panelAt(model, k)};
  }

  return {load, stepFrame};
})();
