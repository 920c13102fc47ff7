// orbrec's web console, part 2: a workflow run as a DAG in SVG. Steps are placed in columns by
// the length of the longest chain of `needs` before them; each node shows the step's state
// and timing, and is focusable, with its state in its accessible name.
"use strict";

const OrbrecDAG = (() => {
  const { el } = Orbrec;
  const W = 190, H = 58, GX = 60, GY = 18, PAD = 12;

  function layout(steps) {
    const byName = new Map(steps.map((s) => [s.name, s]));
    const depth = new Map();
    const visit = (name, seen) => {
      if (depth.has(name)) return depth.get(name);
      if (seen.has(name)) return 0;  // a cycle cannot load; never loop on one here
      seen.add(name);
      const step = byName.get(name);
      const d = step && step.needs.length ? 1 + Math.max(...step.needs.filter((n) => byName.has(n)).map((n) => visit(n, seen)), -1) : 0;
      depth.set(name, d);
      return d;
    };
    steps.forEach((s) => visit(s.name, new Set()));
    const columns = [];
    for (const step of steps) {
      const d = depth.get(step.name);
      (columns[d] = columns[d] || []).push(step.name);
    }
    const position = new Map();
    columns.forEach((names, c) => names.forEach((name, r) => position.set(name, { x: PAD + c * (W + GX), y: PAD + r * (H + GY) })));
    const rows = Math.max(1, ...columns.map((c) => c.length));
    return { position, width: PAD * 2 + columns.length * W + (columns.length - 1) * GX, height: PAD * 2 + rows * H + (rows - 1) * GY };
  }

  // steps: [{name, needs, always}] (the workflow's); run: a run document (its steps' states), or null.
  function render(steps, run) {
    const states = new Map(((run && run.steps) || []).map((s) => [s.name, s]));
    const { position, width, height } = layout(steps);
    const svg = el("svg:svg", { width, height, viewBox: `0 0 ${width} ${height}`, role: "group",
      "aria-label": run ? `Run ${run.run_id} of ${run.workflow}: ${run.state}` : "The workflow's steps" });
    const defs = el("svg:defs", {}, el("svg:marker", { id: "arrow", viewBox: "0 0 10 10", refX: "10", refY: "5", markerWidth: "7", markerHeight: "7", orient: "auto-start-reverse" },
      el("svg:path", { d: "M 0 0 L 10 5 L 0 10 z", class: "edge" })));
    svg.append(defs);
    for (const step of steps) {
      const to = position.get(step.name);
      for (const need of step.needs) {
        const from = position.get(need);
        if (!from) continue;
        const x1 = from.x + W, y1 = from.y + H / 2, x2 = to.x, y2 = to.y + H / 2, mx = (x1 + x2) / 2;
        svg.append(el("svg:path", { class: "edge", d: `M ${x1} ${y1} C ${mx} ${y1}, ${mx} ${y2}, ${x2 - 2} ${y2}`, "marker-end": "url(#arrow)" }));
      }
    }
    for (const step of steps) {
      const p = position.get(step.name);
      const s = states.get(step.name);
      const stateName = s ? s.state : "pending";
      const timing = s && s.started_at ? Orbrec.duration(s.started_at, s.ended_at) + (s.ended_at ? "" : " so far") : (step.always ? "always runs" : "");
      const label = `${step.name}: ${stateName}${timing ? ", " + timing : ""}${s && s.message ? ", " + s.message : ""}`;
      const node = el("svg:g", { class: "node st-" + stateName, transform: `translate(${p.x} ${p.y})`, tabindex: "0", role: "img", "aria-label": label, "data-step": step.name, "data-state": stateName },
        el("svg:title", {}, label),
        el("svg:rect", { width: W, height: H, rx: 8 }),
        el("svg:text", { x: 10, y: 20 }, step.name.length > 24 ? step.name.slice(0, 23) + "…" : step.name),
        el("svg:text", { x: 10, y: 38, class: "t-sub" }, stateName + (timing ? " · " + timing : "")),
        s && s.caused && s.caused.tasks ? el("svg:text", { x: 10, y: 52, class: "t-sub" }, `${s.caused.tasks.completed}/${s.caused.tasks.total} tasks`) : null);
      svg.append(node);
    }
    return el("div", { class: "dag" }, svg);
  }

  return { render, layout };
})();
