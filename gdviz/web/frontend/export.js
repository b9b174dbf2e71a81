"use strict";
// "Download this view": the page as it is on screen — this step, this 3-D camera — built in the
// browser. HTML: the same self-contained page web.standalone_html writes (plotly.js and the
// modules inlined from this component's folder, the spec with the step and camera written in).
// PNG: the four views as Plotly draws them now, composed like web.views_png (3-D and contours
// above, data and loss below). Nothing goes back to the script.
const Export = (() => {
  // Written in pieces: a script module may not hold the tag's opening text (web.inline_script).
  const OPEN = "<" + "script", CLOSE = "</" + "script>";
  const TAG = new RegExp(OPEN + ' src="([\\w.-]+)">' + CLOSE, "g");

  // JSON that cannot end or comment out the script element it sits in (as web.script_json).
  function scriptJson(value) {
    return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g,
      (c) => "\\u" + c.charCodeAt(0).toString(16).padStart(4, "0"));
  }

  // A script's source inside its own element, any closing tag in it written with a backslash ("<\/")
  // so that the parser cannot see it (as web.inline_script).
  function inline(source) {
    return OPEN + ">" + source.replace(/<\/(script)/gi, "<\\/$1") + CLOSE;
  }

  function fetchText(name) {
    return fetch(name, {cache: "force-cache"}).then((answer) => {
      if (!answer.ok) throw new Error(`${name}: ${answer.status}`);
      return answer.text();
    });
  }

  // The spec of the view on screen: step k, the camera in the 3-D figure and in spec.camera.
  function viewSpec(spec, k, camera) {
    const figures = Object.assign({}, spec.figures);
    if (camera && figures.surface) {
      const fig = JSON.parse(figures.surface);
      fig.layout.scene = Object.assign({}, fig.layout.scene, {camera: camera});
      figures.surface = JSON.stringify(fig);
    }
    const eye = camera && camera.eye ? [camera.eye.x, camera.eye.y, camera.eye.z] : spec.camera || null;
    // A page on its own: no point to drag (nothing to send it to), no lesson for PageDown, no autoplay.
    const view = Object.assign({}, spec, {figures: figures, step: k, camera: eye, present: false, editable: false});
    delete view.lesson;
    delete view.autoplay;
    return view;
  }

  // The standalone page's text (index.html from this folder, each script element's src inlined).
  function html(spec, k, camera) {
    return fetchText("index.html").then((index) => {
      const names = Array.from(index.matchAll(TAG), (m) => m[1]);
      return Promise.all(names.map(fetchText)).then((sources) => {
        const byName = Object.fromEntries(names.map((name, i) => [name, sources[i]]));
        const data = OPEN + ">window.GDVIZ_SPEC = " + scriptJson(viewSpec(spec, k, camera)) + ";" + CLOSE;
        const title = `<title>gdviz — gradient descent, step ${Number(k)}</title>`;   // a number: no markup
        return index.replace(TAG, (tag, name) => inline(byName[name]) + (name === "plotly.min.js" ? "\n" + data : ""))
                    .replace(/<title>[^<]*<\/title>/, () => title);
      });
    });
  }

  const SHEET = {width: 1800, rows: [["surface", "contour", 700], ["data", "loss", 560]]};

  // A PNG (Blob) of the four views as they are drawn now, with the given 3-D camera.
  async function png(camera) {
    const half = SHEET.width / 2;
    const canvas = document.createElement("canvas");
    Object.assign(canvas, {width: SHEET.width, height: SHEET.rows.reduce((sum, row) => sum + row[2], 0)});
    const ctx = canvas.getContext("2d");
    ctx.fillStyle = "white";
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    let top = 0;
    for (const [left, right, height] of SHEET.rows) {
      for (const [i, name] of [left, right].entries()) {
        const gd = document.getElementById(name);
        if (!gd.data) continue;
        const layout = Object.assign({}, gd.layout);
        if (name === "surface" && camera) layout.scene = Object.assign({}, layout.scene, {camera: camera});
        const url = await Plotly.toImage({data: gd.data, layout: layout}, {format: "png", width: half, height: height});
        const image = new Image();
        image.src = url;
        await image.decode();
        ctx.drawImage(image, i * half, top);
      }
      top += height;
    }
    return new Promise((resolve) => canvas.toBlob(resolve, "image/png"));
  }

  // Hands a Blob to the browser as a file download.
  function save(blob, filename) {
    const link = document.createElement("a");
    link.href = URL.createObjectURL(blob);
    link.download = filename;
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 60_000);
  }

  return {html, png, save, viewSpec, scriptJson, inline};
})();
