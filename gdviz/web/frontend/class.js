"use strict";
// A class session (issue 22) in the views. The spec's "class" part (gdviz.classroom_page.spec) says
// which room this page belongs to and how: {code, role: "lecturer" | "student", link, token?}.
//
// The lecturer's page drives the room: what it shows (the step, playing or paused, the 3-D camera,
// a new scene's link) is posted to /class/{code}/state with its key, one request at a time, the
// newest change waiting (a 409 adopts the room's version and sends again). Predict asks the class
// (/question {k}); while the question is open the guesses come back every half second and are drawn
// on the contours (each guess a dot, their mean a ring); Reveal shows the room's sentence.
//
// A student's page follows: a long poll of /class/{code}/state?since=v answers as soon as the room
// changes. Following, it shows the lecturer's step, plays and pauses with it, takes the camera
// unless the student has turned the view, and takes a new scene through the component's value
// ({follow: link}: the script reruns on the room's settings). "Explore on my own" stops following
// (the page is the student's; nothing goes back to the room); "Follow again" takes the room's view
// at once. When the lecturer asks, a tap on the contours is this browser's guess (an anonymous
// random id kept in localStorage; no name).
//
// A lesson scene's multiple-choice question (spec.class.question, the lecturer's page only) is the
// lecturer's "Ask: …" button: it goes to the room (/question {text, options, answer}); every
// student's page, following or exploring on its own (a clicker answers whatever it shows), shows the
// text and one big button per answer (a tap is this browser's answer, changeable until the reveal);
// the lecturer's bar counts the answers live; after the reveal every page shows each answer's count
// as a bar, the right one marked when the scene gives it.
//
// Every sentence reaches the page through textContent. The lecturer's key is taken out of the spec
// as it arrives (an exported page never carries it) and travels only in an Authorization header.
const Class = (() => {
  const TICK = 150;                 // ms: how often the lecturer's page looks for a change to send
  const PLAYING_EVERY = 1000;       // ms: while playing, the step is sent at most this often
  const CLOUD_EVERY = 500;          // ms: the lecturer's view of the guesses, while a question is open
  const WAITS = [2000, 5000];       // ms: a follower's waits after a failed poll, then every 5 s
  const DRIFT = 10;                 // steps a playing follower may be off the lecturer's before it is put back

  function create(page) {
    const room = {page: page, code: null, role: null, token: null, link: null, version: 0, room: null,
                  following: true, sent: {}, busy: false, waiting: null, asked: null, question: null,
                  result: null, cloud: null, followed: null, camera: null, failures: 0, stopped: false,
                  polling: false, timer: null, cloudTimer: null, joinShown: false, note: "", clicks: 0};
    page.touch.room = {guess: (point) => guess(room, point)};
    if (typeof window.GDVIZ_SPEC === "undefined") startButton(room);   // an exported page has no class
    return room;
  }

  // What goes back to Python (the component's value), with the page's click counter.
  function tell(room, value) {
    room.page.clicks += 1;
    Protocol.sendValue(Object.assign(value, {click: room.page.clicks}));
  }

  // "Start a class" in the step bar, on every page that is in none: Python starts the room
  // (gdviz.classroom_page.from_views) and the page comes back as the lecturer's.
  function startButton(room) {
    const made = node("button", {id: "classstart", type: "button",
                                 title: "The students open a link or scan a QR code and follow this page; Predict asks them all"},
                      "Start a class");
    made.onclick = () => { made.disabled = true; tell(room, {class: "start"}); };
    document.getElementById("bar").insertBefore(made, document.getElementById("predict").nextSibling);
  }

  // ---------------------------------------------------------------- talking to the room

  // The class routes beside the page: "/class/…" under whatever path the page is served from.
  function url(path) {
    const at = window.location.pathname.split("/component/")[0].replace(/\/$/, "");
    return `${at}/class/${path}`;
  }

  // A request: the answer's JSON, or an Error whose message is the room's sentence (status attached).
  function call(room, method, path, body) {
    const headers = {};
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (room.token && room.role === "lecturer") headers.Authorization = `Bearer ${room.token}`;
    return fetch(url(path), {method: method, headers: headers, cache: "no-store", credentials: "same-origin",
                             body: body === undefined ? undefined : JSON.stringify(body)})
      .then((answer) => answer.json().catch(() => ({})).then((json) => {
        if (answer.ok) return json;
        const error = new Error(json.error || `The class did not answer (${answer.status}).`);
        error.status = answer.status;
        throw error;
      }), () => {
        const error = new Error("The class cannot be reached right now; trying again.");
        error.status = 0;
        throw error;
      });
  }

  // An anonymous id for this browser: random, kept in localStorage, never a name.
  function browserId() {
    const key = "gdviz-class-browser";
    try {
      const kept = window.localStorage.getItem(key);
      if (kept && /^[A-Za-z0-9_-]{8,64}$/.test(kept)) return kept;
    } catch (e) { /* storage off: a new id for this page */ }
    const bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    const id = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
    try { window.localStorage.setItem(key, id); } catch (e) { /* kept for this page only */ }
    return id;
  }

  // The lecturer's key when the page was opened from the lecturer's own link (?class=CODE#key=…).
  function keyInAddress() {
    try {
      const hash = new URLSearchParams(window.parent.location.hash.replace(/^#/, ""));
      return hash.get("key");
    } catch (e) { return null; }
  }

  // ---------------------------------------------------------------- the bar

  function node(tag, attrs, text) {
    const made = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) made.setAttribute(name, value);
    if (text !== undefined) made.textContent = text;
    return made;
  }

  // The class's bar above the step bar: a sentence and the buttons of this page's role.
  function bar(room) {
    let div = document.getElementById("classbar");
    if (div) return div;
    div = node("div", {id: "classbar", role: "region", "aria-label": "class"});
    const text = node("span", {id: "classtext", role: "status", "aria-live": "polite"});
    div.append(text);
    const content = document.getElementById("content");
    content.insertBefore(div, document.getElementById("bar"));
    return div;
  }

  function button(div, id, label, action) {
    let made = document.getElementById(id);
    if (!made) {
      made = node("button", {id: id, type: "button"}, label);
      div.append(made);
    }
    made.textContent = label;
    made.onclick = action;
    return made;
  }

  function say(room, text) {
    room.note = text;
    const span = document.getElementById("classtext");
    if (span) span.textContent = text;
  }

  // A code as it is read out: two groups of three.
  function spaced(code) {
    return `${code.slice(0, 3)} ${code.slice(3)}`;
  }

  // What the bar says and offers now.
  function draw(room) {
    const div = bar(room);
    div.classList.toggle("detached", room.role === "student" && !room.following);
    div.classList.toggle("closed", room.stopped);
    if (room.stopped) {
      for (const id of ["classfollow", "classreveal", "classask", "classjoinbutton", "classend", "classleave"]) {
        const old = document.getElementById(id);
        if (old) old.remove();
      }
    } else if (room.role === "lecturer") drawLecturer(room, div);
    else drawStudent(room, div);
    drawChoice(room);
  }

  // The lecturer's bar: the guesses so far, or the reveal's sentence; "show the code", Reveal.
  function drawLecturer(room, div) {
    const r = room.room, q = r && r.question, open = Boolean(q && !q.revealed), count = room.cloud ? room.cloud.count : 0;
    const name = `Class ${spaced(room.code)}`;
    if (open && q.kind === "step") say(room, `${name}: ${count} guess${count === 1 ? "" : "es"} for step ${q.k + 1}.`);
    else if (open) say(room, `${name}: ${count} answer${count === 1 ? "" : "s"} to “${q.text}”`);
    else if (q && q.revealed && r.result) say(room, `${name}: ${r.result.sentence}`);
    else say(room, `${name}: the students follow this page. Predict asks the whole class where the next step lands.`);
    button(div, "classjoinbutton", room.joinShown ? "Hide the code" : "Show the code to join", () => {
      room.joinShown = !room.joinShown;
      join(room);
      draw(room);
    });
    const asking = button(div, "classask", room.ask ? `Ask: ${room.ask.text}` : "Ask", () => askChoice(room));
    asking.hidden = !room.ask;
    asking.disabled = open;
    const revealing = button(div, "classreveal", "Reveal", () => reveal(room));
    revealing.disabled = !open;
    revealing.hidden = !q;
    button(div, "classend", "End class", () => { room.ending = true; tell(room, {class: "end"}); });
  }

  // A student's bar: following (or exploring, and where the lecturer is), the question, the reveal.
  function drawStudent(room, div) {
    const r = room.room, q = r && r.question, name = `Class ${spaced(room.code)}`;
    const at = r ? `the lecturer is at step ${r.view.step}${r.view.playing ? " (playing)" : ""}` : "joining…";
    if (!room.following) say(room, `${name}: exploring on my own; ${at}.`);
    else if (q && !q.revealed && q.kind === "step" && r.view.step === q.k) {
      say(room, r.mine && r.mine.point ? `Your guess for step ${q.k + 1} is in; tap again to change it until the lecturer reveals.`
                                       : `Where does step ${q.k + 1} land? Tap on the contours.`);
    } else if (q && !q.revealed && q.kind === "choice") {
      say(room, `${name}: ${r.mine ? "your answer is in; tap another to change it until the lecturer reveals." : "the lecturer asks; tap your answer below."}`);
    } else if (q && q.revealed && r.result) say(room, `${name}: ${mark(r)}${r.result.sentence}`);
    else say(room, `${name}: following the lecturer (${r ? `step ${r.view.step}` : "joining…"}).`);
    button(div, "classfollow", room.following ? "Explore on my own" : "Follow again", () => {
      room.following = !room.following;
      room.followed = null;
      room.camera = null;   // following again: the lecturer's camera too
      if (room.following && room.room) apply(room, room.room);
      draw(room);
    });
    button(div, "classleave", "Leave class", () => { room.leaving = true; tell(room, {class: "leave"}); });
  }

  // After a multiple-choice reveal: whether this browser's answer was the right one (when the scene says).
  function mark(r) {
    if (!r.mine || r.mine.right === undefined) return "";
    return r.mine.right ? "Your answer was right. " : "Your answer was not the right one. ";
  }

  // A multiple-choice question on screen (see the top): the text, one row per answer (a button on a
  // student's page while it is open), redrawn only when what it shows changes.
  function drawChoice(room) {
    const r = room.room, q = r && r.question, result = r && r.result;
    const shown = Boolean(!room.stopped && q && q.kind === "choice");
    let panel = document.getElementById("classchoice");
    if (!panel && !shown) return;
    const key = shown ? JSON.stringify([q.id, q.revealed, r.mine || null, result && result.counts, room.role]) : "";
    if (panel && panel.dataset.key === key) return;
    if (panel) panel.remove();
    if (shown) {
      panel = node("div", {id: "classchoice", role: "region", "aria-label": "the class's question"});
      panel.dataset.key = key;
      panel.style.setProperty("--choice", `${Math.round(Math.max(18, 0.028 * Protocol.screenHeight()))}px`);
      panel.append(node("div", {class: "question"}, q.text));
      q.options.forEach((option, i) => panel.append(choiceRow(room, q, i, result)));
      document.getElementById("content").insertBefore(panel, document.getElementById("bar"));
    }
    room.page.reportHeight();
  }

  // One answer: its words (and, after the reveal, its count and a bar as long as its share of the
  // most chosen); on a student's page while the question is open, a button that answers it.
  function choiceRow(room, q, i, result) {
    const mine = Boolean(room.room.mine && room.room.mine.choice === i), right = q.revealed && q.answer === i;
    const open = !q.revealed && room.role === "student";
    const row = node(open ? "button" : "div", open ? {type: "button", "aria-pressed": String(mine)} : {});
    row.className = `option${mine ? " mine" : ""}${right ? " right" : ""}`;
    const words = node("span", {class: "words"}, q.options[i]);
    if (mine) words.append(node("span", {class: "tag"}, " · your answer"));
    if (right) words.append(node("span", {class: "tag"}, " ✓ the right answer"));
    row.append(words);
    if (q.revealed && result && result.counts) {
      const n = result.counts[i], track = node("span", {class: "track"}), bar = node("span", {class: "bar"});
      bar.style.setProperty("--share", `${(100 * n) / Math.max(1, ...result.counts)}%`);
      track.append(bar);
      row.append(node("span", {class: "count"}, String(n)), track);
    }
    if (open) row.onclick = () => answer(room, q, i);
    return row;
  }

  // A student's tap on an answer: this browser's answer to the question (again: a new answer).
  function answer(room, q, i) {
    call(room, "POST", `${room.code}/guess`, {browser: browserId(), question: q.id, choice: i}).then(() => {
      const r = room.room;
      if (r && r.question && r.question.id === q.id && !r.question.revealed) r.mine = {choice: i};
      draw(room);
    }, (error) => say(room, error.message));
  }

  // The lecturer's "Ask: …": the lesson scene's question goes to the room; its answers are counted live.
  function askChoice(room) {
    call(room, "POST", `${room.code}/question`, room.ask).then((r) => {
      room.cloud = {count: 0};
      taken(room, r);
      cloud(room);
    }, (error) => refused(room, error));
  }

  // The lecturer's "show the code": the code, the link and the QR code large enough to read and scan
  // from the back of a hall (the QR code 45 % of the lecturer's screen height).
  function join(room) {
    let panel = document.getElementById("classjoin");
    if (!room.joinShown || room.role !== "lecturer" || room.stopped) { if (panel) panel.remove(); room.page.reportHeight(); return; }
    const screen = Protocol.screenHeight();
    if (!panel) {
      panel = node("div", {id: "classjoin", role: "region", "aria-label": "join the class"});
      const words = node("div", {});
      const link = room.students || `${window.location.origin}${url("").replace(/\/class\/$/, "")}/?class=${room.code}`;
      words.append(node("div", {class: "where"}, "Join the class: scan the code, or open"),
                   node("div", {class: "where link"}, link),
                   node("div", {class: "where"}, "The class code:"),
                   node("div", {class: "code"}, spaced(room.code)),
                   node("div", {class: "where"}, "No name, no account."));
      const image = node("img", {src: url(`${room.code}/qr.svg`), alt: `QR code of ${link}`});
      panel.append(words, image);
      document.getElementById("content").insertBefore(panel, document.getElementById("bar"));
    }
    panel.style.setProperty("--qr", `${Math.round(Math.max(300, 0.45 * screen))}px`);
    panel.style.setProperty("--code", `${Math.round(Math.max(56, 0.13 * screen))}px`);
    panel.style.setProperty("--words", `${Math.round(Math.max(20, 0.035 * screen))}px`);
    room.page.reportHeight();
  }

  // ---------------------------------------------------------------- the lecturer

  function eye() {
    const camera = Views.camera();
    if (!camera || !camera.eye) return null;
    return ["x", "y", "z"].map((axis) => Math.round(camera.eye[axis] * 1000) / 1000);
  }

  // What the lecturer's page shows now, as the room keeps it.
  function shown(room) {
    const player = room.page.player;
    return {step: player.k, playing: Boolean(player.playing), camera: eye(), speed: document.getElementById("speed").value};
  }

  // Every TICK: what changed since the last change sent (while playing, the step once a second: the
  // students play along by themselves); Predict on asks the class about the step shown.
  function tick(room) {
    if (room.stopped || room.role !== "lecturer" || !room.page.spec) return;
    const now = shown(room), sent = room.sent, change = {};
    if (room.link && JSON.stringify(room.link) !== JSON.stringify(sent.link)) Object.assign(change, {link: room.link, step: now.step, playing: now.playing});
    if (now.playing !== sent.playing) Object.assign(change, {playing: now.playing, step: now.step});
    if (now.step !== sent.step && (!now.playing || Date.now() - (sent.at || 0) >= PLAYING_EVERY)) change.step = now.step;
    if (now.camera && JSON.stringify(now.camera) !== JSON.stringify(sent.camera)) change.camera = now.camera;
    if (now.speed !== sent.speed) change.speed = now.speed;
    if (Object.keys(change).length) send(room, change);
    const predict = Touch.state(room.page.touch);
    if (predict.on && predict.truth && room.asked !== `${room.link && JSON.stringify(room.link)}@${predict.k}`) ask(room, predict.k);
  }

  // One change in flight; what arrives meanwhile waits, merged, and goes next.
  function send(room, change) {
    Object.assign(room.sent, change, {at: Date.now()});
    room.waiting = Object.assign(room.waiting || {}, change);
    if (!room.busy) flush(room);
  }

  function flush(room) {
    if (!room.waiting || room.stopped) return;
    const change = room.waiting;
    room.waiting = null;
    room.busy = true;
    call(room, "POST", `${room.code}/state`, Object.assign({version: room.version + 1}, change)).then((r) => {
      taken(room, r);
    }, (error) => {
      if (error.status === 409) {   // another tab of the lecturer's, or a lost answer: take the room's version
        return call(room, "GET", `${room.code}/state`).then((r) => {
          room.version = r.version;
          room.waiting = Object.assign(change, room.waiting || {});
        });
      }
      refused(room, error);
      if (error.status === 0 || error.status === 429) room.waiting = Object.assign(change, room.waiting || {});
      return new Promise((done) => setTimeout(done, 1000));
    }).finally(() => {
      room.busy = false;
      if (room.waiting) flush(room);
    });
  }

  // The room as it answered a change of the lecturer's.
  function taken(room, r) {
    room.version = Math.max(room.version, r.version);
    room.room = r;
    draw(room);
  }

  function refused(room, error) {
    if (error.status === 410 || error.status === 404 || error.status === 403) stop(room, error.message);
    else say(room, error.message);
  }

  // Predict, on the lecturer's page: the class is asked where step k+1 lands (the room's numbers are
  // Python's: the browser sends only k).
  function ask(room, k) {
    room.asked = `${room.link && JSON.stringify(room.link)}@${k}`;
    call(room, "POST", `${room.code}/question`, {k: k}).then((r) => {
      taken(room, r);
      room.cloud = {count: 0, points: [], mean: null};
      drawCloud(room, [], null);
      cloud(room);
    }, (error) => refused(room, error));
  }

  // While a question is open: the guesses, every CLOUD_EVERY ms, drawn on the contours.
  function cloud(room) {
    clearTimeout(room.cloudTimer);
    const q = room.room && room.room.question;
    if (room.stopped || !q || q.revealed) return;
    call(room, "GET", `${room.code}/guesses`).then((c) => {
      if (!room.room.question || c.question !== room.room.question.id) return;
      room.cloud = c;
      if (c.points) drawCloud(room, c.points, c.mean);
      draw(room);
    }, () => null).finally(() => {
      room.cloudTimer = setTimeout(() => cloud(room), CLOUD_EVERY);
    });
  }

  // The class's guesses on the contours: one trace of dots, the mean a ring (uids class-…).
  function drawCloud(room, points, mean) {
    const gd = document.getElementById("contour");
    if (!gd || !gd.data) return;
    const colours = room.page.spec.looks.colours;
    const traces = {
      "class-guesses": {type: "scatter", mode: "markers", x: points.map((p) => p[0]), y: points.map((p) => p[1]),
                        marker: {size: 9, color: colours.grad, opacity: 0.55, line: {width: 1, color: "white"}},
                        name: "the class's guesses", hovertemplate: "a guess<extra></extra>", showlegend: false},
      "class-mean": {type: "scatter", mode: "markers", x: mean ? [mean[0]] : [], y: mean ? [mean[1]] : [],
                     marker: {size: 22, symbol: "circle-open", color: colours.grad, line: {width: 4}},
                     name: "the mean guess", hovertemplate: "the mean guess<extra></extra>", showlegend: false},
    };
    const at = (uid) => gd.data.findIndex((t) => t.uid === uid);
    for (const [uid, trace] of Object.entries(traces)) {
      const i = at(uid);
      if (i < 0) Plotly.addTraces(gd, Object.assign({uid: uid}, trace));
      else Plotly.restyle(gd, {x: [trace.x], y: [trace.y]}, [i]);
    }
  }

  function clearCloud() {
    const gd = document.getElementById("contour");
    if (!gd || !gd.data) return;
    const ours = gd.data.map((t, i) => (String(t.uid || "").startsWith("class-") ? i : -1)).filter((i) => i >= 0);
    if (ours.length) Plotly.deleteTraces(gd, ours);
  }

  function reveal(room) {
    clearTimeout(room.cloudTimer);
    call(room, "POST", `${room.code}/reveal`, {}).then((r) => {
      taken(room, r);
      const result = r.result || {};
      if (result.kind === "step") {
        drawCloud(room, (room.cloud && room.cloud.points) || [], result.mean);
        Touch.revealed(room.page.touch, result.mean, result.sentence);
      }
    }, (error) => refused(room, error));
  }

  // A tap on the contours while the class is asked: the lecturer's does nothing (Reveal shows the
  // step); a student's is the guess. False: no question, the tap is the page's own.
  function guess(room, point) {
    const r = room.room, q = r && r.question;
    if (!room.code || room.stopped || !q || q.revealed || q.kind !== "step") return false;
    if (room.role === "lecturer") { draw(room); return true; }
    if (!room.following || room.page.player.k !== q.k) return false;
    const touch = room.page.touch;
    Touch.guessed(touch, point, "Sending your guess…");
    call(room, "POST", `${room.code}/guess`, {browser: browserId(), question: q.id, w: point[0], b: point[1]}).then(() => {
      r.mine = {point: point};
      Touch.guessed(touch, point, `Your guess for step ${q.k + 1} is in; tap again to change it until the lecturer reveals.`);
      draw(room);
    }, (error) => Touch.guessed(touch, null, error.message));
    return true;
  }

  // ---------------------------------------------------------------- a student

  // The follower's loop: a long poll that answers when the room changes.
  function poll(room) {
    if (room.stopped || room.polling) return;
    room.polling = true;
    const since = room.room ? room.room.version : 0;
    call(room, "GET", `${room.code}/state?since=${since}&browser=${browserId()}`).then((r) => {
      room.failures = 0;
      heard(room, r);
    }, (error) => {
      if (error.status === 404 || error.status === 410) { stop(room, error.message); return; }
      say(room, error.message);
      room.failures += 1;
      return new Promise((done) => setTimeout(done, WAITS[Math.min(room.failures, WAITS.length) - 1]));
    }).finally(() => {
      room.polling = false;
      if (!room.stopped) setTimeout(() => poll(room), 0);
    });
  }

  function heard(room, r) {
    room.room = r;
    if (r.ended) { stop(room, "This class has ended; the page is yours to explore."); return; }
    if (room.following) apply(room, r);
    draw(room);
  }

  // The room's view on this page: a new scene through Python (once per link), then the step, play or
  // pause, the camera (unless this student turned the view since the room's last), the question.
  function apply(room, r) {
    const page = room.page, view = r.view;
    const link = JSON.stringify(view.link);
    if (link !== JSON.stringify(room.link) && link !== room.adopted) {
      const wanted = JSON.stringify(view.link);
      if (room.followed !== wanted) {
        room.followed = wanted;
        room.clicks += 1;
        Protocol.sendValue({follow: view.link, click: `class-${room.clicks}`});
      }
      return;   // the rest once the room's scene is drawn (render calls apply again)
    }
    if (!page.player.ready) return;
    const q = r.question, asking = Boolean(q && q.kind === "step" && view.step === q.k && !view.playing);
    const step = view.step, speed = document.getElementById("speed");
    if (view.speed && speed.value !== view.speed) speed.value = view.speed;   // plays at the lecturer's speed
    if (view.playing) {   // playing along at this page's speed, put back when it drifts far from the lecturer's
      if (!page.player.playing) { Player.show(page.player, step); Player.play(page.player); }
      else if (Math.abs(page.player.k - step) > DRIFT) Player.show(page.player, step);
    } else {
      if (page.player.playing) Player.pause(page.player);
      if (page.player.k !== step) Player.show(page.player, step);
    }
    turn(room, view.camera);
    const touch = page.touch, predict = Touch.state(touch), own = r.mine || {};
    if (asking && !predict.on) { Touch.toggle(touch, true); room.predicting = true; }
    if (!asking && room.predicting) { room.predicting = false; if (predict.on) Touch.toggle(touch, false); }
    if (!asking) return;
    if (q.revealed && !Touch.state(touch).revealed) {
      const result = r.result || {};
      const yours = own.point ? `Your guess was ${Panel.fmt(own.distance, 3)} from the true step ${q.k + 1} (the step was ` +
                                `${Panel.fmt(own.length, 3)} long). ` : "You did not guess this step. ";
      Touch.revealed(touch, own.point || null, yours + (result.sentence ? `The class: ${result.sentence}` : ""));
    } else if (!q.revealed && own.point && !Touch.state(touch).guess) {
      Touch.guessed(touch, own.point, `Your guess for step ${q.k + 1} is in; tap again to change it until the lecturer reveals.`);
    }
  }

  // The lecturer's camera, unless this student turned the view since the room's last camera.
  function turn(room, camera) {
    if (!camera) return;
    const now = eye(), gd = document.getElementById("surface");
    const turned = room.camera && now && JSON.stringify(now) !== JSON.stringify(room.camera);
    if (turned || !gd || !gd.data || !now) return;
    room.camera = camera;   // what this page took last: a view unlike it was turned by the student
    if (JSON.stringify(now) !== JSON.stringify(camera)) {
      Plotly.relayout(gd, {"scene.camera.eye": {x: camera[0], y: camera[1], z: camera[2]}});
    }
  }

  // ---------------------------------------------------------------- both

  function stop(room, sentence) {
    room.stopped = true;
    clearInterval(room.timer);
    clearTimeout(room.cloudTimer);
    room.joinShown = false;
    join(room);
    clearCloud();
    draw(room);
    say(room, sentence);
  }

  // A student's page got a new link: the scene it asked to follow, or a change of the student's own.
  function linkChanged(room, link) {
    if (link === JSON.stringify(room.link)) return;
    if (room.followed) {   // the rerun this page asked for: a new scene, drawn on its own camera
      room.adopted = room.followed;
      room.followed = null;
      room.camera = null;
    }
    else if (room.following && room.room && link !== JSON.stringify(room.room.view.link) && link !== room.adopted) {
      room.following = false;   // the student changed the page: exploring on their own
    }
  }

  // main.js, each time the spec arrives (before it is drawn): the class part taken out of it.
  function render(room, spec) {
    const part = spec && spec.class;
    const start = document.getElementById("classstart");
    if (start) { start.hidden = Boolean(part && part.code); start.disabled = false; }
    if (!part || typeof part.code !== "string") {
      if (room.code && !room.stopped) {
        stop(room, room.ending ? "The class has ended on every page." : "This page has left the class; it is yours to explore.");
      }
      if (part && part.note) { room.code = room.code || ""; stop(room, part.note); }
      return;
    }
    const token = part.token || (part.role === "student" ? keyInAddress() : null);
    delete part.token;   // never in page.spec: an exported page must not carry the lecturer's key
    const fresh = room.code !== part.code;
    if (!fresh && room.role === "student") linkChanged(room, JSON.stringify(part.link || {}));
    room.link = part.link || {};
    room.students = part.students || null;
    room.ask = part.question || null;   // the lesson scene's question, on the lecturer's page
    if (fresh) {
      Object.assign(room, {code: part.code, role: token ? "lecturer" : "student", token: token, stopped: false,
                           room: null, sent: {}, version: 0, following: true, followed: null, adopted: null,
                           failures: 0, predicting: false, ending: false, leaving: false});
      if (room.role === "lecturer") {
        call(room, "GET", `${room.code}/state`).then((r) => { room.version = r.version; room.sent.link = r.view.link; taken(room, r); },
                                                     (error) => refused(room, error));
        clearInterval(room.timer);
        room.timer = setInterval(() => tick(room), TICK);
        document.getElementById("play").addEventListener("click", () => setTimeout(() => tick(room), 0));
      } else poll(room);
    }
    draw(room);
    if (part.note) say(room, part.note);
  }

  // A read-only picture, for tests and the curious.
  function state(room) {
    return Object.freeze({code: room.code, role: room.role, following: room.following, stopped: room.stopped,
                          version: room.room ? room.room.version : room.version, note: room.note,
                          question: room.room && room.room.question, cloud: room.cloud,
                          result: room.room && room.room.result});
  }

  // When the views are ready after a drawing (main.js): a follower takes the room's step then.
  function drawn(room) {
    if (room.role === "student" && room.following && room.room && !room.stopped) { apply(room, room.room); draw(room); }
  }

  return {create, render, drawn, state};
})();
