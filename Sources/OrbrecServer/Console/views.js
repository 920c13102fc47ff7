// orbrec's web console, part 3: the pages. Each page fetches what it shows from the API and
// returns a fresh DOM tree; the router redraws it on every burst of events from the live
// stream, so what is shown follows the daemon without a reload.
"use strict";

(() => {
  const { el, badge, age, duration, time, get, post, act, may } = Orbrec;
  const enc = encodeURIComponent;
  const idOf = (...parts) => parts.map((p) => enc(String(p)).replace(/%/g, "_")).join("-");

  function table(caption, columns, rows, attrs) {
    return el("table", attrs || {},
      el("caption", { class: "muted", hidden: !caption }, caption || ""),
      el("thead", {}, el("tr", {}, columns.map((c) => el("th", { scope: "col" }, c)))),
      el("tbody", {}, rows.length ? rows : el("tr", {}, el("td", { colspan: columns.length, class: "empty" }, "none"))));
  }

  function heading(title, ...extra) {
    return el("div", { class: "panel-head" }, el("h1", {}, title), el("span", { class: "spacer" }), ...extra);
  }

  function reconcileButton() {
    if (!may("operate")) return null;
    return el("button", { type: "button", id: "reconcile-now", onclick: () => act("Reconcile now", () => post("/api/v1/reconcile")) }, "Reconcile now");
  }

  async function maybe(promise, fallback) {
    try { return await promise; } catch (error) { if (error.status === 503) return fallback; throw error; }
  }

  // ---- Overview ----
  Orbrec.register("overview", {
    title: "Overview",
    async render() {
      const [status, ready] = await Promise.all([maybe(get("/api/v1/resources"), null), fetch("/readyz", { cache: "no-store" }).then((r) => r.json()).catch(() => null)]);
      const root = el("div", {}, heading("Overview", reconcileButton()));
      if (ready) {
        root.append(el("p", {}, "Daemon: ", badge(ready.ready ? "ready" : "not ready", ready.ready ? "s-ok" : "s-warn"), " ",
          ...(ready.checks || []).filter((c) => !c.ok).map((c) => el("span", { class: "error" }, ` ${c.name}: ${c.detail || "failing"}`))));
      }
      if (!status) return root.append(el("p", { class: "empty" }, "No reconcile pass has finished yet.")), root;
      const kinds = {};
      for (const r of status.resources) {
        const kind = r.resource.split("/")[0];
        const k = (kinds[kind] = kinds[kind] || { n: 0, bad: 0 });
        k.n++;
        if (r.sync !== "Synced" || !["Healthy"].includes(r.health)) k.bad++;
      }
      root.append(el("div", { class: "cards", role: "list", "aria-label": "Resources by kind" },
        el("div", { class: "card", role: "listitem" }, el("div", { class: "n" }, status.converged ? "✓" : "…"), el("div", { class: "muted" }, status.converged ? "converged" : "converging")),
        Object.entries(kinds).map(([kind, k]) => el("div", { class: "card", role: "listitem" },
          el("div", { class: "n" }, k.n), el("div", { class: "muted" }, kind + (k.bad ? ` · ${k.bad} not synced/healthy` : ""))))));
      if (status.problems && status.problems.length) {
        root.append(el("div", { class: "panel" }, el("h2", {}, "Configuration problems"),
          el("ul", {}, status.problems.map((p) => el("li", { class: "error" }, p.rendered || p.message || JSON.stringify(p))))));
      }
      const link = (resource) => {
        const [kind, name] = resource.split("/");
        const page = { Fleet: "fleets", TaskPool: "pools", Workflow: "workflows" }[kind];
        return page ? el("a", { href: `#/${page}/${enc(name)}` }, resource) : resource;
      };
      root.append(el("div", { class: "panel" }, table("Every resource: what is desired, what is observed, sync and health",
        ["Resource", "Desired", "Observed", "Sync", "Health", "Message"],
        status.resources.map((r) => el("tr", { "data-resource": r.resource },
          el("td", {}, link(r.resource)), el("td", {}, r.desired), el("td", {}, r.observed),
          el("td", {}, badge(r.sync)), el("td", {}, badge(r.health)), el("td", {}, r.message))), { id: "resources" })),
        el("p", { class: "muted" }, `Revision ${status.revision ? status.revision.slice(0, 12) : "–"} · observed ${time(status.observed_at)}`));
      return root;
    },
    ticks: true,
  });

  // ---- Fleets ----
  Orbrec.register("fleets", {
    title: "Fleets",
    async render(args) {
      const [fleets, machines, requests] = await Promise.all([maybe(get("/api/v1/fleets"), []), get("/api/v1/machines"), get("/api/v1/requests?limit=30")]);
      const root = el("div", {}, heading("Fleets", reconcileButton()));
      const byFleet = {};
      for (const m of machines) (byFleet[m.fleet] = byFleet[m.fleet] || []).push(m);
      const names = [...new Set([...fleets.map((f) => f.name), ...Object.keys(byFleet)])];
      if (!names.length) root.append(el("p", { class: "empty" }, "No fleet."));
      for (const name of names) {
        if (args[0] && args[0] !== name) continue;
        const fleet = fleets.find((f) => f.name === name) || { name, desired: "–", observed: "", sync: "Unknown", health: "Unknown", message: "" };
        const list = (byFleet[name] || []).sort((a, b) => a.created_at - b.created_at);
        root.append(el("section", { class: "panel", "data-fleet": name, "aria-labelledby": idOf("fleet", name) },
          el("div", { class: "panel-head" }, el("h2", { id: idOf("fleet", name) }, name || "(requests)"),
            badge(fleet.sync), badge(fleet.health), el("span", { class: "muted" }, `desired ${fleet.desired} · ${fleet.observed}`)),
          fleet.message ? el("p", { class: "muted" }, fleet.message) : null,
          table(`Machines of ${name}`, ["Machine", "State", "Address", "Age", "Template", "Message"],
            list.map((m) => el("tr", { "data-machine": m.id, "data-state": m.state },
              el("td", { class: "mono" }, m.id), el("td", {}, badge(m.state)),
              el("td", { class: "mono" }, m.private_ip_address || m.public_ip_address || m.hostname || "–"),
              el("td", {}, age(m.created_at)), el("td", {}, m.template), el("td", {}, m.message))),
            { class: "machines", "aria-label": `Machines of ${name}` })));
      }
      root.append(el("section", { class: "panel", "aria-labelledby": "requests-title" }, el("h2", { id: "requests-title" }, "Requests"),
        table("The last machine requests and returns", ["Request", "Kind", "Status", "Resource", "Machines", "Age", "Message"],
          requests.map((r) => el("tr", { "data-request": r.id },
            el("td", { class: "mono" }, r.id), el("td", {}, r.kind), el("td", {}, badge(r.status)), el("td", {}, r.resource),
            el("td", {}, `${r.fulfilled}/${r.target}`), el("td", {}, age(r.created_at)), el("td", {}, r.message))))));
      return root;
    },
    ticks: true,
  });

  // ---- Pools ----
  const openLogs = new Map();  // "pool\tkey\tattempt" -> {stream, text}
  const poolFilter = { state: "" };

  function logRow(pool, task, attempt, columns) {
    const k = [pool, task.key, attempt].join("\t");
    const open = openLogs.get(k);
    const pre = el("pre", { class: "logs", tabindex: "0", "aria-label": `Output of ${pool}/${task.key} attempt ${attempt}`, id: idOf("log", pool, task.key, attempt) }, open.text === null ? "loading…" : open.text);
    const load = async (stream) => {
      open.stream = stream;
      try {
        open.text = await Orbrec.request("GET", `/api/v1/pools/${enc(pool)}/tasks/${enc(task.key)}/logs?attempt=${attempt}&stream=${stream}`, undefined, { text: true });
        if (open.text === "") open.text = `(no ${stream} output)`;
      } catch (error) {
        open.text = `${error.status} ${error.code}: ${error.message}`;
      }
      pre.textContent = open.text;
    };
    const streams = el("div", { class: "buttons", role: "group", "aria-label": "Which output" },
      ["stdout", "stderr"].map((s) => el("button", { type: "button", class: "ghost small", "aria-pressed": String(open.stream === s),
        onclick: (e) => { for (const b of e.target.parentNode.children) b.setAttribute("aria-pressed", String(b === e.target)); load(s); } }, s)));
    load(open.stream);
    return el("tr", { class: "logs-row" }, el("td", { colspan: columns }, streams, pre));
  }

  function requeue(pool, body, label) {
    return act(label, () => post(`/api/v1/pools/${enc(pool)}/requeue`, body));
  }

  Orbrec.register("pools", {
    title: "Pools",
    async render(args) {
      const tasks = await get("/api/v1/tasks");
      const root = el("div", {}, heading("Pools",
        el("label", { class: "muted" }, "Show ", el("select", { id: "pool-state-filter", "aria-label": "Tasks to show",
          onchange: (e) => { poolFilter.state = e.target.value; Orbrec.render(); } },
          ["", "pending", "running", "retrying", "completed", "dead_letter", "cancelled"].map((s) =>
            el("option", { value: s, selected: poolFilter.state === s }, s ? s.replace("_", " ") : "every task")))), reconcileButton()));
      const byPool = {};
      for (const t of tasks) (byPool[t.pool] = byPool[t.pool] || []).push(t);
      if (!Object.keys(byPool).length) root.append(el("p", { class: "empty" }, "No task in the state yet."));
      const columns = 9;
      for (const [pool, list] of Object.entries(byPool)) {
        if (args[0] && args[0] !== pool) continue;
        const counts = {};
        for (const t of list) counts[t.state] = (counts[t.state] || 0) + 1;
        const total = list.length, done = (counts.completed || 0) + (counts.dead_letter || 0) + (counts.cancelled || 0);
        const bar = el("div", { class: "progress", role: "progressbar", "aria-label": `Progress of ${pool}`, "aria-valuemin": "0", "aria-valuemax": String(total), "aria-valuenow": String(done),
          "aria-valuetext": Object.entries(counts).map(([s, n]) => `${n} ${s.replace("_", " ")}`).join(", ") });
        for (const s of ["completed", "running", "retrying", "dead_letter", "cancelled"]) {
          if (!counts[s]) continue;
          const part = el("span", { class: "p-" + s, title: `${counts[s]} ${s.replace("_", " ")}` });
          part.style.width = (100 * counts[s] / total) + "%";
          bar.append(part);
        }
        const dead = counts.dead_letter || 0;
        const rows = [];
        const shown = list.filter((t) => !poolFilter.state || t.state === poolFilter.state)
          .sort((a, b) => (a.state === "completed") - (b.state === "completed") || a.key.localeCompare(b.key, undefined, { numeric: true }));
        for (const t of shown.slice(0, 300)) {
          const attempts = t.attempts.length ? t.attempts : [null];
          for (const a of attempts) {
            const n = a ? a.attempt : 0;
            const k = [pool, t.key, n].join("\t");
            rows.push(el("tr", { "data-task": t.key, "data-attempt": String(n), "data-state": t.state },
              el("td", { class: "mono" }, t.key), el("td", {}, badge(t.state.replace("_", " "), Orbrec.statusClass(t.state))),
              el("td", {}, a ? `#${n}` : "–"), el("td", {}, a ? badge(a.state) : ""),
              el("td", {}, a && a.exit_code !== undefined ? String(a.exit_code) : a && a.signal ? "signal " + a.signal : ""),
              el("td", {}, a ? (a.failure_class || "") : (t.next_try_at ? "next try " + time(t.next_try_at) : "")),
              el("td", {}, a ? time(a.started_at) : ""), el("td", {}, a ? duration(a.started_at, a.ended_at) : ""),
              el("td", {},
                a ? el("button", { type: "button", class: "ghost small", id: idOf("logs", pool, t.key, n), "data-logs": "", "aria-expanded": String(openLogs.has(k)),
                  "aria-label": `Logs of ${t.key} attempt ${n}`,
                  onclick: () => { if (openLogs.has(k)) openLogs.delete(k); else openLogs.set(k, { stream: "stdout", text: null }); Orbrec.render(); } }, "Logs") : null,
                " ",
                (t.state === "dead_letter" || t.state === "cancelled") && may("operate") && n === (t.attempts.length ? t.attempts[t.attempts.length - 1].attempt : 0)
                  ? el("button", { type: "button", class: "small", "data-requeue": t.key, id: idOf("requeue", pool, t.key), "aria-label": `Requeue ${t.key}`,
                    onclick: () => requeue(pool, { keys: [t.key] }, `Requeue ${pool}/${t.key}`) }, "Requeue") : null)));
            if (openLogs.has(k)) rows.push(logRow(pool, t, n, columns));
          }
        }
        root.append(el("section", { class: "panel", "data-pool": pool, "aria-labelledby": idOf("pool", pool) },
          el("div", { class: "panel-head" }, el("h2", { id: idOf("pool", pool) }, pool),
            el("span", { class: "muted" }, `${done}/${total} finished`), bar, el("span", { class: "spacer" }),
            dead && may("operate") ? el("button", { type: "button", id: idOf("requeue-all", pool), "data-requeue-all": pool,
              onclick: () => requeue(pool, { all_dead_letter: true }, `Requeue ${dead} dead letter(s) of ${pool}`) }, `Requeue ${dead} dead letter${dead > 1 ? "s" : ""}`) : null),
          el("p", { class: "legend" }, Object.entries(counts).map(([s, n]) => `${n} ${s.replace("_", " ")}`).join(" · ")),
          table(`Attempts of ${pool}` + (shown.length > 300 ? ` (the first 300 of ${shown.length} tasks)` : ""),
            ["Task", "Task state", "Attempt", "Attempt state", "Exit", "Class", "Started", "Took", ""], rows, { class: "attempts" })));
      }
      return root;
    },
  });

  // ---- Workflows ----
  Orbrec.register("workflows", {
    title: "Workflows",
    async render(args) {
      const workflows = await maybe(get("/api/v1/workflows"), []);
      const root = el("div", {}, heading("Workflows"));
      if (!workflows.length) return root.append(el("p", { class: "empty" }, "No workflow in the configuration.")), root;
      const name = args[0] && workflows.some((w) => w.name === args[0]) ? args[0] : workflows[0].name;
      root.append(el("nav", { class: "runs", "aria-label": "Workflows" }, workflows.map((w) =>
        el("a", { href: `#/workflows/${enc(w.name)}`, class: "badge " + (w.name === name ? "s-run" : ""), "aria-current": w.name === name ? "page" : null }, `${w.name} · ${w.state}`))));
      const [detail, runs] = await Promise.all([get(`/api/v1/workflows/${enc(name)}`), get(`/api/v1/workflows/${enc(name)}/runs?limit=12`)]);
      const runID = args[1] && runs.some((r) => r.run_id === args[1]) ? args[1] : runs.length ? runs[0].run_id : null;
      const run = runID ? await get(`/api/v1/workflows/${enc(name)}/runs/${enc(runID)}`) : null;
      const steps = (detail.step_details || detail.steps.map((s) => ({ name: s, needs: [], always: false }))).map((s) => ({ name: s.name, needs: s.needs || [], always: !!s.always }));
      const panel = el("section", { class: "panel", "aria-labelledby": "wf-title" },
        el("div", { class: "panel-head" }, el("h2", { id: "wf-title" }, name), badge(detail.state),
          el("span", { class: "muted" }, [detail.schedule ? "schedule " + detail.schedule : "", detail.on_change ? "runs on change" : "", "concurrency " + detail.concurrency].filter(Boolean).join(" · ")),
          el("span", { class: "spacer" }),
          may("operate") ? el("button", { type: "button", id: "start-run", onclick: async () => {
            const answer = await act(`Start ${name}`, () => post(`/api/v1/workflows/${enc(name)}/runs`));
            if (answer && answer.run_id) location.hash = `#/workflows/${enc(name)}/${enc(answer.run_id)}`;
          } }, "Start a run") : null,
          run && run.state === "running" && may("operate") ? el("button", { type: "button", class: "danger", id: "cancel-run",
            onclick: () => act(`Cancel ${run.run_id}`, () => post(`/api/v1/workflows/${enc(name)}/runs/${enc(run.run_id)}/cancel`)) }, "Cancel this run") : null),
        el("div", { class: "runs", role: "group", "aria-label": "Runs" }, runs.map((r) =>
          el("a", { href: `#/workflows/${enc(name)}/${enc(r.run_id)}`, class: "badge " + Orbrec.statusClass(r.state), "aria-current": r.run_id === runID ? "true" : null },
            `${r.run_id.slice(-8)} · ${r.state} · ${age(r.created_at)} ago`))),
        run ? el("p", { class: "muted" }, `Run ${run.run_id}: ${run.state}, ${run.trigger}, started ${time(run.created_at)}, ${duration(run.created_at, run.ended_at)}${run.reason ? " · " + run.reason : ""}`)
          : el("p", { class: "empty" }, "No run yet."),
        OrbrecDAG.render(steps, run),
        run ? table(`Steps of run ${run.run_id}`, ["Step", "State", "Started", "Took", "Message"], run.steps.map((s) => el("tr", { "data-step": s.name },
          el("td", {}, s.name), el("td", {}, badge(s.state)), el("td", {}, time(s.started_at)), el("td", {}, duration(s.started_at, s.ended_at)), el("td", {}, s.message)))) : null);
      root.append(panel);
      return root;
    },
    ticks: true,
  });

  // ---- Events ----
  const eventFilter = { kind: "", resource: "", text: "", paused: false };

  function eventRows() {
    const match = (e) => (!eventFilter.kind || e.kind === eventFilter.kind)
      && (!eventFilter.resource || e.resource.toLowerCase().includes(eventFilter.resource.toLowerCase()))
      && (!eventFilter.text || JSON.stringify(e).toLowerCase().includes(eventFilter.text.toLowerCase()));
    return Orbrec.state.events.filter(match).slice(-300).reverse().map((e) => el("tr", { "data-seq": String(e.seq) },
      el("td", {}, time(e.at)), el("td", { class: "mono" }, String(e.seq)), el("td", {}, badge(e.kind, "")), el("td", {}, e.resource),
      el("td", { class: "mono" }, e.subject), el("td", {}, (e.from ? e.from + " → " : "") + e.to), el("td", {}, e.cause)));
  }

  Orbrec.register("events", {
    title: "Events",
    render() {
      const kinds = [...new Set(Orbrec.state.events.map((e) => e.kind).concat(eventFilter.kind ? [eventFilter.kind] : []))].sort();
      const redraw = () => {
        const body = document.querySelector("#events tbody");
        if (body) body.replaceChildren(...(eventRows().length ? eventRows() : [el("tr", {}, el("td", { colspan: 7, class: "empty" }, "no event yet"))]));
      };
      return el("div", {}, heading("Events"),
        el("p", { class: "muted" }, "The journal's events as they happen (and the last ones before this page opened), over the daemon's event stream."),
        el("div", { class: "filters", role: "search", "aria-label": "Filter events" },
          el("label", {}, "Kind", el("select", { id: "event-kind", onchange: (e) => { eventFilter.kind = e.target.value; redraw(); } },
            el("option", { value: "" }, "every kind"), kinds.map((k) => el("option", { value: k, selected: eventFilter.kind === k }, k)))),
          el("label", {}, "Resource", el("input", { id: "event-resource", type: "search", value: eventFilter.resource, placeholder: "Fleet/web",
            oninput: (e) => { eventFilter.resource = e.target.value; redraw(); } })),
          el("label", {}, "Text", el("input", { id: "event-text", type: "search", value: eventFilter.text,
            oninput: (e) => { eventFilter.text = e.target.value; redraw(); } })),
          el("button", { type: "button", class: "ghost", id: "event-pause", "aria-pressed": String(eventFilter.paused),
            onclick: (e) => { eventFilter.paused = !eventFilter.paused; e.target.setAttribute("aria-pressed", String(eventFilter.paused)); e.target.textContent = eventFilter.paused ? "Resume" : "Pause"; if (!eventFilter.paused) redraw(); } },
            eventFilter.paused ? "Resume" : "Pause")),
        el("div", { class: "panel event-list" }, table("Events, newest first", ["Time", "Seq", "Kind", "Resource", "Subject", "Change", "Cause"], eventRows(),
          { id: "events", "aria-live": "polite", "aria-relevant": "additions" })));
    },
    onEvent(event) {
      if (eventFilter.paused) return;
      const select = document.getElementById("event-kind");
      if (select && ![...select.options].some((o) => o.value === event.kind)) select.append(el("option", { value: event.kind }, event.kind));
      const body = document.querySelector("#events tbody");
      if (body) body.replaceChildren(...eventRows());
    },
  });

  // ---- Plan ----
  // The plan document of `orbrec plan --json`, as the daemon's last pass left it, with the
  // daemon's own `planned_at` and `policy_denials`.
  const symbols = { provision: ["+", "v-plus"], submit: ["+", "v-plus"], retry: ["+", "v-plus"], return: ["-", "v-minus"], cancel: ["-", "v-minus"], replace: ["-/+", "v-tilde"], "dead-letter": ["!", "v-minus"] };
  const taskVerbs = new Set(["submit", "retry", "cancel", "dead-letter"]);
  // Machines or attempts an action touches, as the plan's summary counts them.
  const unitsOf = (a) => a.verb === "provision" ? a.count : taskVerbs.has(a.verb) ? (a.task_attempts || []).length : Math.max(a.machines.length, a.count);
  Orbrec.register("plan", {
    title: "Plan",
    async render() {
      const plan = await maybe(get("/api/v1/plan"), null);
      const root = el("div", {}, heading("Plan", reconcileButton()));
      if (!plan) return root.append(el("p", { class: "empty" }, "No reconcile pass has finished yet.")), root;
      root.append(el("p", { class: "muted" }, `What the daemon would act on next, as its last pass (${time(plan.planned_at)}) left it. Revision ${plan.config_revision ? plan.config_revision.slice(0, 12) : "–"}.`));
      const denials = plan.policy_denials || [];
      if (denials.length) {
        root.append(el("div", { class: "panel" }, el("h2", {}, "Held by policy: nothing is carried out"),
          el("ul", {}, denials.map((d) => el("li", { class: "error" }, d)))));
      }
      root.append(el("div", { class: "cards", role: "list", "aria-label": "Units per verb" },
        Object.entries(plan.summary).filter(([, n]) => n).map(([verb, n]) => el("div", { class: "card", role: "listitem" }, el("div", { class: "n" }, n), el("div", { class: "muted" }, verb))),
        Object.values(plan.summary).every((n) => !n) ? el("div", { class: "card", role: "listitem" }, el("div", { class: "n" }, "✓"), el("div", { class: "muted" }, "nothing to do")) : null));
      root.append(el("div", { class: "panel" }, table("Actions, each with its reason", ["", "Verb", "Resource", "Reason", "Detail", "Units"],
        plan.actions.map((a) => el("tr", { "data-verb": a.verb, "data-id": a.id },
          el("td", { class: "verb " + (symbols[a.verb] || ["", ""])[1], "aria-hidden": "true" }, (symbols[a.verb] || ["?"])[0]),
          el("td", {}, a.verb), el("td", {}, a.resource), el("td", { class: "mono" }, a.reason), el("td", {}, a.detail), el("td", {}, String(unitsOf(a))))), { id: "plan-actions" })));
      if (plan.drift.length) {
        root.append(el("div", { class: "panel" }, el("h2", {}, "Drift"), table("What the adapters report that the journal did not expect", ["Kind", "Resource", "Machine", "Message"],
          plan.drift.map((d) => el("tr", {}, el("td", {}, badge(d.kind)), el("td", {}, d.resource), el("td", { class: "mono" }, d.machine), el("td", {}, d.message))))));
      }
      if (plan.warnings.length) {
        root.append(el("div", { class: "panel" }, el("h2", {}, "Warnings"), el("ul", { id: "plan-warnings" },
          plan.warnings.map((w) => el("li", {}, w.location ? `${w.location}: ` : "", el("span", { class: "mono" }, w.code), `: ${w.message}`)))));
      }
      return root;
    },
  });

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", () => Orbrec.start());
  else Orbrec.start();
})();
