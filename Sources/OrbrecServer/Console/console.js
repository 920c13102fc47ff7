// orbrec's web console, part 1: the API client, the token, the live event stream, the router
// and small DOM helpers. Plain JavaScript served by the daemon itself: no framework, no
// build step, nothing fetched from elsewhere (the page's Content-Security-Policy allows this
// daemon only). Data is only ever put in the page as text (textContent), never as HTML.
"use strict";

const Orbrec = (() => {
  const TOKEN_KEY = "orbrec.token";
  const THEME_KEY = "orbrec.theme";
  // How many of the events before the page opened it shows.
  const BACKFILL = 200;
  const pages = {};
  const listeners = new Set();
  const state = {
    token: sessionStorage.getItem(TOKEN_KEY) || "",
    who: null,          // GET /api/v1/whoami
    page: null,
    events: [],         // the last events received, newest last
    lastSeq: null,
    stream: null,       // the AbortController of the event stream
    refreshTimer: null,
  };

  // ---- DOM helpers ----
  function el(tag, attrs, ...children) {
    const svg = tag.startsWith("svg:");
    const node = svg ? document.createElementNS("http://www.w3.org/2000/svg", tag.slice(4)) : document.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (name.startsWith("on") && typeof value === "function") node.addEventListener(name.slice(2), value);
      else if (name === "text") node.textContent = String(value);
      else node.setAttribute(name, value === true ? "" : String(value));
    }
    for (const child of children.flat()) {
      if (child === null || child === undefined || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  function badge(text, kind) {
    return el("span", { class: "badge " + (kind || statusClass(text)) }, text);
  }

  // The colour of a state, sync or health word.
  function statusClass(word) {
    const w = String(word || "").toLowerCase();
    if (["healthy", "synced", "running", "completed", "succeeded", "complete", "reachable", "true"].includes(w)) return w === "running" ? "s-run" : "s-ok";
    if (["degraded", "failed", "dead_letter", "lost", "unhealthy", "missing", "unreachable", "partial"].includes(w)) return "s-bad";
    if (["progressing", "outofsync", "pending", "retrying", "in_progress", "terminating", "waiting"].includes(w)) return "s-warn";
    return "";
  }

  function age(ms) {
    if (!ms) return "–";
    const s = Math.max(0, Math.round((Date.now() - ms) / 1000));
    if (s < 60) return s + "s";
    if (s < 3600) return Math.floor(s / 60) + "m" + String(s % 60).padStart(2, "0") + "s";
    if (s < 86400) return Math.floor(s / 3600) + "h" + String(Math.floor(s / 60) % 60).padStart(2, "0") + "m";
    return Math.floor(s / 86400) + "d" + String(Math.floor(s / 3600) % 24).padStart(2, "0") + "h";
  }

  function duration(from, to) {
    if (!from) return "";
    const ms = Math.max(0, (to || Date.now()) - from);
    if (ms < 1000) return ms + "ms";
    if (ms < 60000) return (ms / 1000).toFixed(1) + "s";
    return Math.floor(ms / 60000) + "m" + String(Math.round(ms / 1000) % 60).padStart(2, "0") + "s";
  }

  function time(ms) { return ms ? new Date(ms).toLocaleTimeString() : "–"; }

  function notify(text, kind) {
    const box = document.getElementById("notice");
    box.textContent = text;
    box.className = "notice" + (kind === "info" ? " info" : "");
    box.hidden = false;
    clearTimeout(notify.timer);
    notify.timer = setTimeout(() => { box.hidden = true; }, kind === "info" ? 4000 : 10000);
  }

  // ---- the API ----
  class APIError extends Error {
    constructor(status, code, message) { super(message); this.status = status; this.code = code; }
  }

  function headers(extra) {
    const h = Object.assign({ Accept: "application/json" }, extra || {});
    if (state.token) h.Authorization = "Bearer " + state.token;
    return h;
  }

  async function request(method, path, body, { text = false } = {}) {
    const init = { method, headers: headers(body === undefined ? {} : { "Content-Type": "application/json" }), cache: "no-store" };
    if (body !== undefined) init.body = JSON.stringify(body);
    let response;
    try {
      response = await fetch(path, init);
    } catch (error) {
      throw new APIError(0, "unreachable", "the daemon did not answer: " + error.message);
    }
    if (!response.ok) {
      let code = "http-" + response.status, message = response.statusText;
      try { const e = (await response.json()).error; code = e.code; message = e.message; } catch (_) { /* not JSON */ }
      const error = new APIError(response.status, code, message);
      if (response.status === 401) askToken(state.token ? "The daemon refused this token: " + message : "This needs a token: " + message, !!state.token);
      throw error;
    }
    return text ? response.text() : response.json();
  }

  const get = (path) => request("GET", path);
  const post = (path, body) => request("POST", path, body === undefined ? {} : body);

  // An action the user asked for: its refusal is shown, its success announced and the page redrawn.
  async function act(label, call) {
    try {
      const answer = await call();
      notify(label + ": done", "info");
      scheduleRefresh(0);
      return answer;
    } catch (error) {
      if (error.status !== 401) notify(label + " refused (" + error.status + " " + error.code + "): " + error.message);
      return null;
    }
  }

  const may = (scope) => !!(state.who && state.who.scopes.includes(scope));

  // ---- the token ----
  function askToken(reason, refused) {
    const dialog = document.getElementById("token-dialog");
    document.getElementById("token-reason").textContent = reason || "Give a token of this daemon (read to look, operate to act). It is kept in this tab only.";
    document.getElementById("token-error").textContent = refused ? reason : "";
    if (!dialog.open) dialog.showModal();
    document.getElementById("token-input").focus();
  }

  async function useToken(token) {
    state.token = token;
    if (token) sessionStorage.setItem(TOKEN_KEY, token); else sessionStorage.removeItem(TOKEN_KEY);
    const ok = await identify();
    if (ok) {
      document.getElementById("token-dialog").close();
      restartStream();
      render();
    }
  }

  // Who the caller is: decides whether to ask for a token and which actions to offer.
  async function identify() {
    const who = document.getElementById("who");
    try {
      state.who = await get("/api/v1/whoami");
    } catch (error) {
      state.who = null;
      who.textContent = "";
      if (error.status === 401) {
        document.getElementById("token-error").textContent = state.token
          ? "Refused: the daemon does not know this token (" + error.message + ")" : "This daemon needs a token to show anything.";
      } else if (error.status === 403) {
        document.getElementById("token-error").textContent = "Refused: this token may not read (" + error.message + ")";
        askToken("This token lacks the read scope.", true);
      } else {
        notify(error.message);
      }
      return false;
    }
    const w = state.who;
    who.textContent = (w.token ? "token " + w.token : "no token") + " · " + (w.scopes.length ? w.scopes.join(", ") : "no scope");
    document.body.dataset.operate = may("operate") ? "yes" : "no";
    return true;
  }

  // ---- the live event stream ----
  // EventSource cannot send an Authorization header, and a token in the URL would end up in
  // logs and the browser's history; so the stream is read with fetch, the token in its header,
  // and parsed here as Server-Sent Events. Reconnects resume after the last event seen.
  function restartStream() {
    if (state.stream) state.stream.abort();
    const controller = new AbortController();
    state.stream = controller;
    readStream(controller).catch(() => {});
  }

  function setLive(mode, text) {
    const live = document.getElementById("live");
    live.dataset.state = mode;
    live.textContent = text;
  }

  async function readStream(controller) {
    let delay = 1000;
    while (!controller.signal.aborted) {
      try {
        const query = state.lastSeq !== null ? "?after=" + state.lastSeq : "";
        const response = await fetch("/api/v1/events" + query, { headers: headers({ Accept: "text/event-stream" }), signal: controller.signal, cache: "no-store" });
        if (response.status === 401 || response.status === 403) { setLive("off", "live: needs a token"); return; }
        if (!response.ok) throw new Error("HTTP " + response.status);
        setLive("on", "live");
        delay = 1000;
        const reader = response.body.getReader();
        const decoder = new TextDecoder();
        let buffer = "";
        reading: for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += decoder.decode(value, { stream: true });
          let end;
          while ((end = buffer.search(/\r?\n\r?\n/)) >= 0) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end).replace(/^\r?\n\r?\n/, "");
            if (dispatchBlock(block) === "backfill") {
              // The first stream starts at the newest event: ask again from a little before it.
              reader.cancel().catch(() => {});
              delay = 0;
              break reading;
            }
          }
        }
      } catch (error) {
        if (controller.signal.aborted) return;
      }
      if (delay === 0) { delay = 1000; continue; }
      setLive("retry", "reconnecting…");
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(delay * 2, 15000);
    }
  }

  function dispatchBlock(block) {
    let id = null, kind = "message", data = "";
    for (const line of block.split(/\r?\n/)) {
      if (line.startsWith(":")) {
        // ": connected; events after N" names where the stream starts.
        const m = /events after (\d+)/.exec(line);
        if (m && state.lastSeq === null) {
          state.lastSeq = Math.max(0, Number(m[1]) - BACKFILL);
          if (state.lastSeq < Number(m[1])) return "backfill";
        }
        continue;
      }
      const colon = line.indexOf(":");
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
      if (field === "id") id = value;
      else if (field === "event") kind = value;
      else if (field === "data") data += (data ? "\n" : "") + value;
    }
    if (!data) return;
    let event;
    try { event = JSON.parse(data); } catch (_) { return; }
    event.kind = kind;
    if (id !== null) state.lastSeq = Number(id);
    state.events.push(event);
    if (state.events.length > 1000) state.events.splice(0, state.events.length - 1000);
    for (const listener of listeners) listener(event);
    const page = pages[state.page];
    if (page && page.onEvent) page.onEvent(event);
    else scheduleRefresh(150);
  }

  // ---- the router ----
  function register(name, page) { pages[name] = page; }

  function currentRoute() {
    // A part that is not valid percent-encoding (#/pools/%) is taken as written: decodeURIComponent
    // would throw, and the page would stay blank.
    const decoded = (part) => { try { return decodeURIComponent(part); } catch { return part; } };
    const parts = (location.hash.replace(/^#\/?/, "") || "overview").split("/").map(decoded);
    return { name: pages[parts[0]] ? parts[0] : "overview", args: parts.slice(1) };
  }

  let rendering = null;
  async function render({ focus = false } = {}) {
    const { name, args } = currentRoute();
    const changed = state.page !== name;
    state.page = name;
    for (const link of document.querySelectorAll("nav a[data-page]")) {
      if (link.dataset.page === name) link.setAttribute("aria-current", "page"); else link.removeAttribute("aria-current");
    }
    const page = pages[name];
    document.title = page.title + " · orbrec";
    const main = document.getElementById("main");
    const token = {};
    rendering = token;
    let content;
    try {
      content = await page.render(args);
    } catch (error) {
      content = el("div", { class: "panel" }, el("h1", {}, page.title),
        el("p", { class: "error" }, error.status ? error.status + " " + error.code + ": " + error.message : String(error)));
    }
    if (rendering !== token) return;  // a newer render began meanwhile
    // Keep where the user was: the focused control (by id) and the open log panes survive a redraw.
    const focusedID = document.activeElement && main.contains(document.activeElement) ? document.activeElement.id : null;
    const scroll = window.scrollY;
    main.replaceChildren(content);
    if (page.after) page.after(main);
    if (focusedID && !changed) { const again = document.getElementById(focusedID); if (again) again.focus({ preventScroll: true }); }
    if (changed && focus) main.focus({ preventScroll: true }); else window.scrollTo(0, scroll);
  }

  // Redraws the page soon, at most once per burst of events.
  function scheduleRefresh(delay) {
    clearTimeout(state.refreshTimer);
    state.refreshTimer = setTimeout(() => render(), delay);
  }

  // ---- the theme ----
  function applyTheme(theme) {
    if (theme) document.documentElement.dataset.theme = theme; else delete document.documentElement.dataset.theme;
    const dark = theme ? theme === "dark" : matchMedia("(prefers-color-scheme: dark)").matches;
    const toggle = document.getElementById("theme-toggle");
    toggle.setAttribute("aria-pressed", String(dark));
  }

  function start() {
    applyTheme(localStorage.getItem(THEME_KEY));
    document.getElementById("theme-toggle").addEventListener("click", () => {
      const dark = document.getElementById("theme-toggle").getAttribute("aria-pressed") === "true";
      const next = dark ? "light" : "dark";
      localStorage.setItem(THEME_KEY, next);
      applyTheme(next);
    });
    document.getElementById("token-button").addEventListener("click", () => askToken());
    document.getElementById("token-form").addEventListener("submit", (event) => {
      event.preventDefault();
      useToken(document.getElementById("token-input").value.trim());
    });
    document.getElementById("token-forget").addEventListener("click", () => {
      document.getElementById("token-input").value = "";
      useToken("");
    });
    document.getElementById("token-cancel").addEventListener("click", () => document.getElementById("token-dialog").close());
    window.addEventListener("hashchange", () => render({ focus: true }));
    window.addEventListener("pagehide", () => { if (state.stream) state.stream.abort(); });
    // Ages and durations move on even when nothing happens.
    setInterval(() => { if (!document.hidden && pages[state.page] && pages[state.page].ticks) scheduleRefresh(0); }, 5000);
    identify().then((ok) => {
      if (!ok) askToken(state.token ? "The daemon refused the token kept in this tab." : "This daemon needs a token to show anything.", !!state.token);
      restartStream();
      render();
    });
  }

  return { el, badge, statusClass, age, duration, time, notify, get, post, request, act, may, register, render, scheduleRefresh,
           onEvent: (fn) => listeners.add(fn), offEvent: (fn) => listeners.delete(fn), state, start, APIError };
})();
