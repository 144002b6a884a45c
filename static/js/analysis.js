// Discourse analysis charts. Every <figure class="chart" data-chart=KIND data-src=URL> gets
// its JSON from data-src and is drawn into .chart-canvas (d3 for networks and bars,
// Observable Plot for timelines), with a table view built from the same JSON in
// .chart-table. Sortable tables (the stance matrix) sort on a header click.
// Names come from articles and are untrusted: they are only ever written with
// textContent, d3's .text() or as attribute values, never as HTML.
// The site's CSP allows no inline style: Plot's own <style> elements are removed before
// its SVG enters the page (analysis.css carries the equivalent rules), and styles are only
// set through the CSSOM (element.style), which the CSP does not govern.
/* global d3, Plot */
"use strict";

(function () {
  const SVG = "http://www.w3.org/2000/svg";
  const EMPTY = "Nothing to draw for these filters.";
  let uid = 0; // makes the arrowhead marker ids unique on the page

  // Polarity is drawn by dash pattern as well as colour.
  const POLARITY = {
    support: { label: "Support", color: "#1a7f37", dash: null, style: "solid" },
    oppose: { label: "Oppose", color: "#cf222e", dash: "7 4", style: "dashed" },
    mixed: { label: "Mixed", color: "#8250df", dash: "9 3 2 3", style: "dash-dot" },
    neutral: { label: "Neutral", color: "#6e7781", dash: "2 3", style: "dotted" },
    congruence: { label: "Congruence", color: "#1a7f37", dash: null, style: "solid" },
    conflict: { label: "Conflict", color: "#cf222e", dash: "7 4", style: "dashed" },
  };
  const NODE_TYPE = {
    actor: { label: "Actor", color: "#0b5cad", shape: "circle" },
    target: { label: "Target", color: "#b35900", shape: "square" },
  };
  // Timeline series: dash and symbol differ from one series to the next, and so does the
  // colour; series named after a polarity take its colour, the others the palette's.
  const SERIES = [
    { dash: null, symbol: "circle" },
    { dash: "7 4", symbol: "square" },
    { dash: "2 3", symbol: "triangle" },
    { dash: "9 3 2 3", symbol: "diamond" },
    { dash: "12 4", symbol: "cross" },
    { dash: "4 2 4 6", symbol: "star" },
  ];
  const PALETTE = ["#0b5cad", "#b35900", "#8250df", "#6e7781", "#1f6f8b", "#9a6700"];
  const SERIES_COLOR = { support: "#1a7f37", oppose: "#cf222e" };
  // d3's symbol of each name Plot knows (looked up late: a page with only a sortable
  // table may load this file without d3).
  const SYMBOLS = {
    circle: "symbolCircle", square: "symbolSquare", triangle: "symbolTriangle",
    diamond: "symbolDiamond", cross: "symbolCross", star: "symbolStar",
  };

  function el(tag, attrs, text) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) {
      if (value !== null && value !== undefined) node.setAttribute(name, value);
    }
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function svgEl(tag, attrs) {
    const node = document.createElementNS(SVG, tag);
    for (const [name, value] of Object.entries(attrs || {})) {
      if (value !== null && value !== undefined) node.setAttribute(name, value);
    }
    return node;
  }

  // 2 -> "2", 0.33333 -> "0.333": the same text in the chart's titles and the table.
  function number(value) {
    if (value === null || value === undefined || value === "") return "";
    return String(+Number(value).toFixed(3));
  }

  function shorten(text, max) {
    return text.length > max ? text.slice(0, max - 1) + "…" : text;
  }

  // ---- Figure plumbing: status, summary, the chart/table switch -----------------------

  // The figure's part of that class, made (before the canvas) when the page has none.
  function part(figure, className, tag) {
    let node = figure.querySelector(":scope > ." + className);
    if (!node) {
      node = el(tag || "div", { class: className });
      const canvas = figure.querySelector(":scope > .chart-canvas");
      if (canvas && className !== "chart-table") canvas.before(node);
      else figure.append(node);
    }
    return node;
  }

  function setStatus(figure, text, isError) {
    const status = part(figure, "chart-status", "p");
    status.setAttribute("role", isError ? "alert" : "status");
    status.classList.toggle("chart-error", Boolean(isError));
    status.textContent = text;
    status.hidden = !text;
  }

  function addViewSwitch(figure, canvas, table) {
    if (figure.querySelector(":scope > .chart-views")) return;
    const group = el("div", { class: "chart-views", role: "group", "aria-label": "View" });
    const chartButton = el("button", { type: "button", "aria-pressed": "true" }, "Chart");
    const tableButton = el("button", { type: "button", "aria-pressed": "false" }, "Table");
    function show(asTable) {
      canvas.hidden = asTable;
      table.hidden = !asTable;
      chartButton.setAttribute("aria-pressed", String(!asTable));
      tableButton.setAttribute("aria-pressed", String(asTable));
    }
    chartButton.addEventListener("click", () => show(false));
    tableButton.addEventListener("click", () => show(true));
    group.append(chartButton, tableButton);
    canvas.before(group);
    show(false);
  }

  function dataTable(caption, headers, rows, numericFrom) {
    const table = el("table", { class: "chart-data" });
    table.append(el("caption", {}, caption));
    const head = el("tr");
    headers.forEach((header, i) => {
      head.append(el("th", { scope: "col", class: i >= numericFrom ? "num" : null }, header));
    });
    const thead = el("thead");
    thead.append(head);
    table.append(thead);
    const body = el("tbody");
    for (const row of rows) {
      const tr = el("tr");
      row.forEach((cell, i) => {
        const td = el(i === 0 ? "th" : "td", {
          scope: i === 0 ? "row" : null,
          class: i >= numericFrom ? "num" : null,
        });
        if (cell && typeof cell === "object") {
          if (cell.href) td.append(el("a", { href: cell.href }, cell.text));
          else td.textContent = cell.text;
        } else {
          td.textContent = cell === null || cell === undefined ? "" : String(cell);
        }
        tr.append(td);
      });
      body.append(tr);
    }
    table.append(body);
    const wrap = el("div", { class: "chart-table-scroll", tabindex: "0", role: "region" });
    wrap.setAttribute("aria-label", caption);
    wrap.append(table);
    return wrap;
  }

  function legend(items) {
    const list = el("ul", { class: "chart-legend" });
    for (const item of items) {
      const li = el("li");
      const swatch = svgEl("svg", {
        width: 34, height: 14, viewBox: "0 0 34 14", "aria-hidden": "true", focusable: "false",
      });
      if (item.line) {
        swatch.append(svgEl("line", {
          x1: 1, y1: 7, x2: 33, y2: 7, stroke: item.color, "stroke-width": 2.5,
          "stroke-dasharray": item.dash,
        }));
      }
      if (item.symbol) {
        swatch.append(svgEl("path", {
          d: d3.symbol(d3[SYMBOLS[item.symbol]], item.line ? 40 : 90)(),
          transform: "translate(17,7)", fill: item.color,
        }));
      }
      li.append(swatch, document.createTextNode(item.label));
      list.append(li);
    }
    return list;
  }

  // ---- Network: d3-force in SVG --------------------------------------------------------

  // A force that pushes apart nodes whose boxes (the node and its label) overlap, along
  // the axis where they overlap least. Pairwise: the API caps a network at a few hundred
  // nodes, and the layout runs once.
  function labelBoxes() {
    let nodes = [];
    function force() {
      for (let i = 0; i < nodes.length; i++) {
        const a = nodes[i];
        for (let j = i + 1; j < nodes.length; j++) {
          const b = nodes[j];
          const dx = b.x + b.vx - (a.x + a.vx);
          const dy = b.y + b.vy + b.drop - (a.y + a.vy + a.drop);
          const overlapX = a.halfWidth + b.halfWidth - Math.abs(dx);
          const overlapY = a.halfHeight + b.halfHeight + 4 - Math.abs(dy);
          if (overlapX <= 0 || overlapY <= 0) continue;
          if (overlapX < overlapY) {
            const push = (dx < 0 ? -1 : 1) * overlapX * 0.25;
            a.vx -= push;
            b.vx += push;
          } else {
            const push = (dy < 0 ? -1 : 1) * overlapY * 0.25;
            a.vy -= push;
            b.vy += push;
          }
        }
      }
    }
    force.initialize = (all) => { nodes = all; };
    return force;
  }

  function networkTables(data, names) {
    const nodes = dataTable(
      "Nodes",
      ["Name", "Kind", "Role", "Statements", "Support", "Oppose", "Other", "Degree"],
      data.nodes.map((n) => [
        { text: n.name, href: n.url }, n.kind, n.type, n.activity, n.support, n.oppose,
        n.other, n.degree,
      ]),
      3,
    );
    const twoMode = data.mode === "two-mode";
    const edges = dataTable(
      twoMode ? "Edges (holder to target)" : "Edges",
      ["Source", "Target", "Polarity", "Weight", "Support", "Oppose", "Other", "Shared",
        "Evidence"],
      data.edges.map((e) => [
        names.get(e.source), names.get(e.target), e.polarity, number(e.weight), e.support,
        e.oppose, e.other, e.shared, e.evidence ? { text: "Statements", href: e.evidence } : "",
      ]),
      3,
    );
    return [nodes, edges];
  }

  function nodeDetail(n) {
    const role = n.type === "target" ? "target" : "actor";
    return `${n.name} (${role}): ${n.activity} statements, ${n.support} support, ` +
      `${n.oppose} oppose, ${n.other} other; ${n.degree} connections`;
  }

  function edgeDetail(e, names) {
    const arrow = e.directed ? " → " : " – ";
    return `${names.get(e.source)}${arrow}${names.get(e.target)}: ${e.polarity}, weight ` +
      `${number(e.weight)} (${e.support} support, ${e.oppose} oppose, ${e.other} other)`;
  }

  function drawNetwork(canvas, data) {
    uid += 1;
    const id = uid;
    const width = Math.max(canvas.clientWidth, 280);
    const narrow = width < 600;
    const height = narrow ? Math.round(width * 1.4) : Math.round(Math.min(width * 0.62, 640));
    const fontSize = narrow ? 11 : 12;
    const labelMax = narrow ? 16 : 26;
    const twoMode = data.mode === "two-mode";
    const names = new Map(data.nodes.map((n) => [n.id, n.name]));
    const nodes = data.nodes.map((n) => Object.assign({}, n));
    const byId = new Map(nodes.map((n) => [n.id, n]));
    const links = data.edges
      .filter((e) => byId.has(e.source) && byId.has(e.target))
      .map((e) => Object.assign({}, e, { directed: twoMode }));

    const maxActivity = d3.max(nodes, (n) => n.activity) || 1;
    const radius = d3.scaleSqrt().domain([0, maxActivity]).range(narrow ? [3, 16] : [4, 22]);
    const maxWeight = d3.max(links, (e) => e.weight) || 1;
    const strokeWidth = d3.scaleLinear().domain([0, maxWeight]).range([1, narrow ? 5 : 7]);
    const measure = document.createElement("canvas").getContext("2d");
    measure.font = `${fontSize}px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif`;
    for (const n of nodes) {
      n.r = radius(n.activity || 0);
      n.label = shorten(n.name, labelMax);
      // Each node with its label under it is a box; the layout keeps the boxes apart.
      n.halfWidth = Math.max(n.r, measure.measureText(n.label).width / 2) + 2;
      n.halfHeight = n.r + (fontSize + 4) / 2;
      n.drop = (fontSize + 4) / 2; // the box's centre is this far below the node's
    }

    // Lay the graph out in one go instead of animating it: no timer keeps running, the
    // picture does not move under the pointer, and reduced-motion users see no motion.
    const simulation = d3.forceSimulation(nodes)
      .force("link", d3.forceLink(links).id((n) => n.id).distance((e) =>
        e.source.r + e.target.r + (narrow ? 30 : 60)))
      .force("charge", d3.forceManyBody().strength(narrow ? -120 : -300))
      .force("boxes", labelBoxes())
      .force("x", d3.forceX(width / 2).strength(narrow ? 0.14 : 0.06))
      .force("y", d3.forceY(height / 2).strength(narrow ? 0.03 : 0.06))
      .stop();
    const ticks = Math.ceil(Math.log(simulation.alphaMin()) / Math.log(1 - simulation.alphaDecay()));
    for (let i = 0; i < ticks; i++) simulation.tick();

    // Fit the laid-out graph into the box (positions scale, text keeps its size).
    const pad = 8;
    const left = d3.min(nodes, (n) => n.x - n.halfWidth);
    const right = d3.max(nodes, (n) => n.x + n.halfWidth);
    const top = d3.min(nodes, (n) => n.y - n.r);
    const bottom = d3.max(nodes, (n) => n.y + n.r + fontSize + 4);
    // One scale for both axes when shrinking (so no labels are pushed together); when
    // there is room, each axis may stretch a little more to fill the box.
    const fitX = (width - 2 * pad) / Math.max(right - left, 1);
    const fitY = (height - 2 * pad) / Math.max(bottom - top, 1);
    const scale = Math.min(fitX, fitY, 1.6);
    const stretch = Math.max(scale, Math.min(1.6, scale * 1.5));
    const scaleX = Math.min(fitX, stretch);
    const scaleY = Math.min(fitY, stretch);
    const dx = (width - (right - left) * scaleX) / 2 - left * scaleX;
    const dy = (height - (bottom - top) * scaleY) / 2 - top * scaleY;
    for (const n of nodes) {
      n.x = n.x * scaleX + dx;
      n.y = n.y * scaleY + dy;
    }

    const svg = d3.create("svg")
      .attr("class", "network")
      .attr("viewBox", `0 0 ${width} ${height}`)
      .attr("width", width)
      .attr("height", height)
      .attr("role", "group")
      .attr("aria-label", `Network of ${nodes.length} nodes and ${links.length} edges`);
    const defs = svg.append("defs");
    if (twoMode) {
      for (const [key, p] of Object.entries(POLARITY)) {
        defs.append("marker")
          .attr("id", `arrow-${key}-${id}`)
          .attr("viewBox", "0 -5 10 10")
          .attr("refX", 10)
          .attr("markerWidth", 5)
          .attr("markerHeight", 5)
          .attr("markerUnits", "userSpaceOnUse")
          .attr("orient", "auto")
          .append("path")
          .attr("d", "M0,-5L10,0L0,5")
          .attr("fill", p.color);
      }
    }
    const zoomLayer = svg.append("g").attr("class", "zoom-layer");

    const edge = zoomLayer.append("g").attr("class", "edges")
      .selectAll("line")
      .data(links)
      .join("line")
      .attr("data-edge", (e) => `${e.source.id}|${e.target.id}`)
      .attr("data-polarity", (e) => e.polarity)
      .attr("stroke", (e) => (POLARITY[e.polarity] || POLARITY.neutral).color)
      .attr("stroke-dasharray", (e) => (POLARITY[e.polarity] || POLARITY.neutral).dash)
      .attr("stroke-width", (e) => strokeWidth(e.weight))
      .attr("marker-end", (e) => (twoMode ? `url(#arrow-${POLARITY[e.polarity] ? e.polarity : "neutral"}-${id})` : null))
      .each(function (e) {
        // Directed edges end at the target's outline, so the arrowhead shows.
        const x = e.target.x - e.source.x;
        const y = e.target.y - e.source.y;
        const length = Math.hypot(x, y) || 1;
        const cut = twoMode ? e.target.r + 2 : 0;
        this.setAttribute("x1", e.source.x);
        this.setAttribute("y1", e.source.y);
        this.setAttribute("x2", e.target.x - (x / length) * cut);
        this.setAttribute("y2", e.target.y - (y / length) * cut);
      });
    edge.append("title").text((e) => edgeDetail(e, names));

    const node = zoomLayer.append("g").attr("class", "nodes")
      .selectAll("a")
      .data(nodes)
      .join("a")
      .attr("class", (n) => `node node-${n.type === "target" ? "target" : "actor"}`)
      .attr("data-node", (n) => n.id)
      .attr("href", (n) => n.url || null)
      .attr("tabindex", (n) => (n.url ? null : 0))
      .attr("aria-label", nodeDetail)
      .attr("transform", (n) => `translate(${n.x},${n.y})`);
    node.append("title").text(nodeDetail);
    node.each(function (n) {
      const type = NODE_TYPE[n.type] || NODE_TYPE.actor;
      const shape = type.shape === "square"
        ? svgEl("rect", { x: -n.r * 0.9, y: -n.r * 0.9, width: n.r * 1.8, height: n.r * 1.8 })
        : svgEl("circle", { r: n.r });
      shape.setAttribute("class", "node-shape");
      shape.setAttribute("fill", type.color);
      this.append(shape);
    });
    node.append("text")
      .attr("class", "node-label")
      .attr("y", (n) => n.r + fontSize)
      .attr("font-size", fontSize)
      .attr("text-anchor", "middle")
      .text((n) => n.label);

    // Pointing at (or tabbing to) a node shows its counts and lights up its edges.
    const detail = el("p", { class: "chart-detail", "aria-live": "polite" });
    function focusNode(n) {
      detail.textContent = n ? nodeDetail(n) : "";
      edge.classed("is-near", (e) => Boolean(n) && (e.source === n || e.target === n));
      edge.classed("is-far", (e) => Boolean(n) && e.source !== n && e.target !== n);
    }
    node.on("mouseenter focus", (event, n) => focusNode(n));
    node.on("mouseleave blur", () => focusNode(null));
    edge.on("mouseenter", (event, e) => { detail.textContent = edgeDetail(e, names); });

    // Zoom: ctrl+wheel or a trackpad pinch, two-finger pinch on a phone, drag to pan, and
    // buttons for the keyboard. A plain wheel or one-finger swipe still scrolls the page.
    const zoom = d3.zoom()
      .scaleExtent([0.5, 5])
      .filter((event) => {
        if (event.type === "wheel") return event.ctrlKey;
        if (event.type.startsWith("touch")) return event.touches.length > 1;
        return !event.button && !event.target.closest("a");
      })
      .on("zoom", (event) => zoomLayer.attr("transform", event.transform));
    svg.call(zoom).on("dblclick.zoom", null);
    svg.style("touch-action", "pan-x pan-y");
    const zoomButtons = el("div", { class: "chart-zoom", role: "group", "aria-label": "Zoom" });
    const buttons = [["Zoom in", 1.5], ["Zoom out", 1 / 1.5], ["Reset", 0]];
    for (const [label, factor] of buttons) {
      const button = el("button", { type: "button" }, label);
      button.addEventListener("click", () => {
        if (factor) svg.call(zoom.scaleBy, factor);
        else svg.call(zoom.transform, d3.zoomIdentity);
      });
      zoomButtons.append(button);
    }

    const items = [];
    const types = new Set(nodes.map((n) => (n.type === "target" ? "target" : "actor")));
    if (types.size > 1) {
      for (const t of ["actor", "target"]) {
        const type = NODE_TYPE[t];
        items.push({ label: `${type.label} (${type.shape})`, color: type.color, symbol: type.shape });
      }
    }
    const polarities = new Set(links.map((e) => (POLARITY[e.polarity] ? e.polarity : "neutral")));
    for (const [key, p] of Object.entries(POLARITY)) {
      if (polarities.has(key)) {
        items.push({ label: `${p.label} (${p.style})`, color: p.color, dash: p.dash, line: true });
      }
    }
    const note = el("p", { class: "chart-note" },
      "Node size: statements; line width: edge weight. Select a node to open its page.");
    return [legend(items), zoomButtons, svg.node(), detail, note];
  }


  // The layout's fit above estimates label widths; once drawn, the real box is known:
  // widen the view box to hold any label that still sticks out (text shrinks a little).
  function fitNetwork(canvas) {
    const svg = canvas.querySelector("svg.network");
    const box = svg.querySelector(".zoom-layer").getBBox();
    const [, , width, height] = svg.getAttribute("viewBox").split(" ").map(Number);
    const x0 = Math.min(0, box.x - 4);
    const y0 = Math.min(0, box.y - 4);
    const x1 = Math.max(width, box.x + box.width + 4);
    const y1 = Math.max(height, box.y + box.height + 4);
    if (x0 === 0 && y0 === 0 && x1 === width && y1 === height) return;
    svg.setAttribute("viewBox", `${x0} ${y0} ${x1 - x0} ${y1 - y0}`);
    svg.setAttribute("height", Math.round((width * (y1 - y0)) / (x1 - x0)));
  }

  // ---- Timeline: Observable Plot ------------------------------------------------------

  // An interval's step from one period to the next (the API's weeks start on Mondays).
  const STEP = { day: ["utcDay", 1], week: ["utcDay", 7], month: ["utcMonth", 1], year: ["utcYear", 1] };

  // Every period from the first to the last, so that a period without statements shows
  // as 0 (the API leaves out empty periods) rather than as a line drawn across it.
  function timelineGrid(data) {
    const seen = Array.from(
      new Set(data.series.flatMap((s) => s.points.map((p) => p.period))),
    ).sort();
    let periods = seen;
    const step = STEP[data.interval];
    if (step && seen.length > 1) {
      const first = new Date(seen[0] + "T00:00:00Z");
      const last = new Date(seen[seen.length - 1] + "T00:00:00Z");
      const [unitName, every] = step;
      const unit = d3[unitName];
      const all = [];
      for (let d = first; d <= last && all.length <= 1000; d = unit.offset(d, every)) {
        all.push(d.toISOString().slice(0, 10));
      }
      if (all.length <= 1000) periods = Array.from(new Set(all.concat(seen))).sort();
    }
    const palette = PALETTE.slice();
    const series = data.series.map((s, i) => {
      const byPeriod = new Map(s.points.map((p) => [p.period, p]));
      const color = SERIES_COLOR[s.key] || palette.shift() || "#57606a";
      return Object.assign({ label: s.label, color }, SERIES[i % SERIES.length], {
        points: periods.map((period) => byPeriod.get(period) || { period, count: 0 }),
      });
    });
    return { periods, series };
  }

  function timelineTable(data) {
    const grid = timelineGrid(data);
    const rows = grid.periods.map((period, row) => [period].concat(grid.series.map((s) => {
      const point = s.points[row];
      return point.evidence ? { text: String(point.count), href: point.evidence } : point.count;
    })));
    const interval = data.interval ? ` (${data.interval})` : "";
    const header = ["Period"].concat(grid.series.map((s) => s.label));
    return [dataTable(`Counts per period${interval}`, header, rows, 1)];
  }

  function drawTimeline(canvas, data) {
    const width = Math.max(canvas.clientWidth, 280);
    const narrow = width < 600;
    const marks = [Plot.ruleY([0])];
    const items = [];
    const grid = timelineGrid(data);
    // Counts are whole numbers: no tick between two of them.
    const top = Math.max(1, d3.max(grid.series, (s) => d3.max(s.points, (p) => p.count)) || 1);
    for (const series of grid.series) {
      const points = series.points.map((p) => ({
        date: new Date(p.period + "T00:00:00Z"), count: p.count, period: p.period,
      }));
      marks.push(Plot.line(points, {
        x: "date", y: "count", stroke: series.color, strokeWidth: 2,
        strokeDasharray: series.dash || undefined, curve: "linear",
      }));
      marks.push(Plot.dot(points, {
        x: "date", y: "count", fill: series.color, symbol: series.symbol, r: narrow ? 3 : 4,
        title: (p) => `${series.label}, ${p.period}: ${p.count}`,
      }));
      items.push({
        label: series.label, color: series.color, dash: series.dash, symbol: series.symbol,
        line: true,
      });
    }
    const chart = Plot.plot({
      className: "nd-plot",
      width,
      height: narrow ? 260 : 340,
      marginLeft: 44,
      marginTop: 24,
      marginRight: narrow ? 16 : 24,
      marginBottom: 36,
      // Ticks on periods (every k-th), so that ticks and points line up.
      x: {
        type: "utc", label: null, inset: 10,
        ticks: grid.periods
          .filter((p, i) => i % Math.ceil(grid.periods.length / (narrow ? 5 : 12)) === 0)
          .map((p) => new Date(p + "T00:00:00Z")),
      },
      y: { label: "Count", grid: true, nice: true, zero: true, tickFormat: "d", ticks: Math.min(8, top) },
      marks,
    });
    // Plot adds a <style> element; under the site's CSP it would be refused (and logged as
    // a violation), so it goes before the SVG is attached. analysis.css styles .nd-plot.
    chart.querySelectorAll("style").forEach((style) => style.remove());
    chart.setAttribute("role", "img");
    chart.setAttribute("aria-label", `Timeline of ${data.series.map((s) => s.label).join(", ")}`);
    return [legend(items), chart];
  }

  // ---- Bars: top quoted speakers ------------------------------------------------------

  function barItems(data) {
    return (data.speakers || []).map((s) => ({ label: s.name, value: s.quotes, url: s.url }))
      .sort((a, b) => b.value - a.value || a.label.localeCompare(b.label));
  }

  function barsTable(data) {
    const outlets = data.outlets || [];
    const rows = (data.speakers || []).map((s) => [{ text: s.name, href: s.url }, s.quotes]
      .concat(outlets.map((o) => (s.outlets && s.outlets[o]) || 0)));
    return [dataTable("Quoted speakers", ["Speaker", "Quotes"].concat(outlets), rows, 1)];
  }

  function drawBars(canvas, data) {
    const items = barItems(data);
    const width = Math.max(canvas.clientWidth, 280);
    const narrow = width < 600;
    // On a phone the name goes above its bar, so the bar can take the full width.
    const labelWidth = narrow ? 0 : Math.min(220, width * 0.3);
    const row = narrow ? 40 : 26;
    const valueRoom = 40;
    const height = items.length * row + 40;
    const x = d3.scaleLinear()
      .domain([0, d3.max(items, (d) => d.value) || 1]).nice()
      .range([narrow ? 6 : labelWidth, width - valueRoom]);
    const svg = d3.create("svg")
      .attr("class", "bars")
      .attr("viewBox", `0 0 ${width} ${height}`)
      .attr("width", width)
      .attr("height", height)
      .attr("role", "group")
      .attr("aria-label", `${items.length} bars`);
    svg.append("g")
      .attr("class", "axis")
      .attr("transform", `translate(0,${height - 38})`)
      .call(d3.axisBottom(x).ticks(narrow ? 4 : 8, "~d").tickSizeOuter(0))
      .append("text")
      .attr("class", "axis-label")
      .attr("x", width - valueRoom)
      .attr("y", 32)
      .attr("text-anchor", "end")
      .text("Quotes →");
    const bar = svg.append("g").selectAll("g")
      .data(items)
      .join("g")
      .attr("class", "bar")
      .attr("transform", (d, i) => `translate(0,${i * row})`);
    const barTop = narrow ? 17 : 4;
    const barHeight = row - (narrow ? 21 : 8);
    bar.append("rect")
      .attr("x", x(0))
      .attr("y", barTop)
      .attr("width", (d) => Math.max(x(d.value) - x(0), 1))
      .attr("height", barHeight)
      .attr("fill", "#0b5cad")
      .append("title")
      .text((d) => `${d.label}: ${d.value}`);
    bar.append("text")
      .attr("class", "bar-value")
      .attr("x", (d) => x(d.value) + 4)
      .attr("y", barTop + barHeight / 2)
      .attr("dy", "0.35em")
      .text((d) => d.value);
    const maxChars = narrow ? Math.floor(width / 7) : Math.floor(labelWidth / 7);
    const label = bar.append((d) => document.createElementNS(SVG, d.url ? "a" : "g"))
      .attr("href", (d) => d.url || null);
    label.append("text")
      .attr("class", "bar-label")
      .attr("x", narrow ? 0 : labelWidth - 6)
      .attr("y", narrow ? 12 : barTop + barHeight / 2)
      .attr("dy", narrow ? null : "0.35em")
      .attr("text-anchor", narrow ? "start" : "end")
      .text((d) => shorten(d.label, maxChars));
    label.append("title").text((d) => `${d.label}: ${d.value}`);
    return [svg.node()];
  }

  // ---- Sortable tables (the stance matrix) --------------------------------------------

  function cellValue(cell) {
    const raw = cell ? (cell.dataset.value ?? cell.textContent).trim() : "";
    return raw;
  }

  function makeSortable(table) {
    if (table.dataset.sortReady) return;
    table.dataset.sortReady = "1";
    const headers = Array.from(table.querySelectorAll("thead th"));
    headers.forEach((th, column) => {
      const button = el("button", { type: "button", class: "sort" });
      if (th.querySelector("a, button")) {
        // A header that links somewhere keeps its link; the sort button sits beside it
        // (no link inside a button).
        button.classList.add("sort-beside");
        button.setAttribute("aria-label", `Sort by ${th.textContent.trim()}`);
      } else {
        while (th.firstChild) button.append(th.firstChild);
      }
      th.append(button);
      button.addEventListener("click", () => {
        const ascending = th.getAttribute("aria-sort") !== "ascending";
        headers.forEach((other) => other.removeAttribute("aria-sort"));
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        for (const body of table.tBodies) {
          const rows = Array.from(body.rows);
          const values = rows.map((r) => cellValue(r.cells[column]));
          const numeric = values.every((v) => v === "" || !Number.isNaN(Number(v.replace(/[,\s]/g, ""))));
          const keyed = rows.map((r, i) => ({
            row: r, index: i,
            key: numeric ? (values[i] === "" ? -Infinity : Number(values[i].replace(/[,\s]/g, ""))) : values[i],
          }));
          keyed.sort((a, b) => {
            let order = numeric ? a.key - b.key : a.key.localeCompare(b.key, undefined, { numeric: true });
            if (!ascending) order = -order;
            return order || a.index - b.index;
          });
          for (const item of keyed) body.append(item.row);
        }
      });
    });
  }

  // ---- Loading ------------------------------------------------------------------------

  const KINDS = {
    network: {
      empty: (d) => !d.nodes || d.nodes.length === 0,
      draw: drawNetwork,
      fit: fitNetwork,
      tables: (d) => networkTables(d, new Map(d.nodes.map((n) => [n.id, n.name]))),
    },
    timeline: {
      empty: (d) => !d.series || d.series.every((s) => !s.points || s.points.length === 0),
      draw: drawTimeline,
      tables: timelineTable,
    },
    bars: {
      empty: (d) => !d.speakers || d.speakers.length === 0,
      draw: drawBars,
      tables: barsTable,
    },
  };

  function render(figure, kind, data) {
    const canvas = part(figure, "chart-canvas");
    canvas.replaceChildren(...kind.draw(canvas, data));
    if (kind.fit) kind.fit(canvas);
  }

  async function load(figure) {
    const name = figure.dataset.chart;
    const kind = KINDS[name];
    if (!kind || !figure.dataset.src) return;
    const canvas = part(figure, "chart-canvas");
    const table = part(figure, "chart-table");
    figure.setAttribute("aria-busy", "true");
    setStatus(figure, "Loading…");
    let data;
    try {
      const response = await fetch(figure.dataset.src, {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      data = await response.json();
    } catch (error) {
      figure.removeAttribute("aria-busy");
      setStatus(figure, `Could not load the chart data: ${error.message}`, true);
      return;
    }
    figure.removeAttribute("aria-busy");
    if (typeof data.summary === "string") part(figure, "chart-summary", "p").textContent = data.summary;
    if (kind.empty(data)) {
      setStatus(figure, EMPTY);
      return;
    }
    setStatus(figure, "");
    if (data.truncated) {
      const note = el("p", { class: "chart-note" },
        `Only the ${data.limit} most active nodes are drawn; narrow the filters to see the rest.`);
      canvas.before(note);
    }
    render(figure, kind, data);
    table.replaceChildren(...kind.tables(data));
    addViewSwitch(figure, canvas, table);
    figure.dataset.chartDrawn = "1";

    // Redraw when the width changes a lot (a phone turned, a window resized).
    let drawnWidth = canvas.clientWidth;
    let pending = null;
    new ResizeObserver(() => {
      if (canvas.hidden || Math.abs(canvas.clientWidth - drawnWidth) < 40) return;
      clearTimeout(pending);
      pending = setTimeout(() => {
        drawnWidth = canvas.clientWidth;
        render(figure, kind, data);
      }, 150);
    }).observe(canvas);
  }

  function start(root) {
    root.querySelectorAll("table[data-sortable]").forEach(makeSortable);
    root.querySelectorAll("figure.chart[data-chart]").forEach((figure) => {
      if (figure.dataset.chartStarted) return;
      figure.dataset.chartStarted = "1";
      load(figure);
    });
  }

  start(document);
  // Filters swapped in by htmx bring new figures.
  document.addEventListener("htmx:load", (event) => start(event.target));
})();
