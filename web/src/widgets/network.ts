// Network widget: sigma.js (WebGL) over graphology. ForceAtlas2 layout (synchronous, bounded),
// colour by cell or role, size by key-player score, expand a node, path between two people,
// a time window over the links, export PNG. Every action is also reachable from labelled controls.
import Graph from "graphology";
import forceAtlas2 from "graphology-layout-forceatlas2";
import Sigma from "sigma";
import type { Attributes } from "graphology-types";
import { download, fetchJson, h, readableTime, sourceOf, uid, WidgetError } from "../common";
import {
  categoryColours,
  dateSpan,
  findPath,
  inWindow,
  isoOfDay,
  mergeGraph,
  nodeSize,
  parseGraphData,
  pathEdges,
  UNKNOWN_LABEL,
  type NetGraph,
} from "../lib/graph";

type ColourKey = "cell" | "role";

const FADED = "#e3e5e8";
const PATH_COLOUR = "#c2410c";
const EDGE_COLOUR = "#b8bec6";

/** Bounded ForceAtlas2 run: fewer iterations on bigger graphs, so a page never hangs. */
function layout(graph: NetGraph, iterations?: number): void {
  if (graph.order < 2) return;
  const n = iterations ?? (graph.order <= 200 ? 300 : graph.order <= 1000 ? 120 : 40);
  const settings = { ...forceAtlas2.inferSettings(graph), barnesHutOptimize: graph.order > 300 };
  forceAtlas2.assign(graph, { iterations: n, settings });
}

function withId(template: string, id: string): string {
  return template.split("{id}").join(encodeURIComponent(id));
}

export async function mount(el: HTMLElement): Promise<() => void> {
  const data = parseGraphData(await fetchJson(sourceOf(el)));
  if (data.nodes.length === 0) {
    el.replaceChildren(h("p", { class: "widget-empty" }, "No people in this network to show."));
    return () => {};
  }
  const graph: NetGraph = new Graph({ type: "undirected", multi: false });
  mergeGraph(graph, data);
  layout(graph);

  const expandUrl = el.dataset.expand ?? "";
  const entityUrl = el.dataset.entityUrl ?? "";
  const title = el.dataset.title ?? "Network chart";

  // --- state
  let colourKey: ColourKey = "cell";
  let colours = new Map<string, string>();
  let maxScore = 0;
  let selected: string | null = null;
  let path: string[] | null = null;
  let pathEdgeSet = new Set<string>();
  let windowLo = -Infinity;
  let windowHi = Infinity;
  const expanded = new Set<string>();

  // --- controls
  const colourId = uid("nw-colour");
  const colourSelect = h(
    "select",
    { id: colourId },
    h("option", { value: "cell" }, "cell"),
    h("option", { value: "role" }, "role"),
  );
  const fromId = uid("nw-from");
  const toId = uid("nw-to");
  const fromSelect = h("select", { id: fromId });
  const toSelect = h("select", { id: toId });
  const pathButton = h("button", { type: "button" }, "Find path");
  const clearButton = h("button", { type: "button" }, "Clear path");
  const pngButton = h("button", { type: "button" }, "Export PNG");
  const loId = uid("nw-lo");
  const hiId = uid("nw-hi");
  const loInput = h("input", { type: "range", id: loId, min: 0, max: 0, step: 1 });
  const hiInput = h("input", { type: "range", id: hiId, min: 0, max: 0, step: 1 });
  const loOut = h("output", { for: loId });
  const hiOut = h("output", { for: hiId });
  const timeBox = h(
    "fieldset",
    { class: "nw-time" },
    h("legend", {}, "Links active between"),
    h("label", { for: loId }, "From"),
    loInput,
    loOut,
    h("label", { for: hiId }, "To"),
    hiInput,
    hiOut,
  );
  const status = h("p", { class: "nw-status", role: "status" });
  const panel = h("div", { class: "nw-panel", "aria-live": "polite" });
  const legend = h("ul", { class: "nw-legend", "aria-label": "Colours" });
  const peopleList = h("ul", { class: "nw-people" });
  const peopleSummary = h("summary", {}, "People in this chart");
  const canvasBox = h("div", { class: "nw-canvas", role: "img", "aria-label": title });

  const toolbar = h(
    "div",
    { class: "nw-controls" },
    h("div", { class: "nw-colour" }, h("label", { for: colourId }, "Colour by"), colourSelect),
    timeBox,
    h(
      "fieldset",
      { class: "nw-path" },
      h("legend", {}, "Path between two people (or shift-click two nodes)"),
      h("label", { for: fromId }, "From"),
      fromSelect,
      h("label", { for: toId }, "To"),
      toSelect,
      pathButton,
      clearButton,
    ),
    pngButton,
  );
  el.replaceChildren(
    toolbar,
    h("div", { class: "nw-body" }, canvasBox, panel),
    legend,
    status,
    h("details", { class: "nw-list" }, peopleSummary, peopleList),
  );
  el.classList.add("nw");

  // --- rendering
  const nodeVisible = (attrs: Attributes) =>
    inWindow(attrs.first_seen ?? null, attrs.last_seen ?? null, windowLo, windowHi);
  const edgeVisible = (edge: string) => {
    const a = graph.getEdgeAttributes(edge);
    return (
      inWindow(a.first ?? null, a.last ?? null, windowLo, windowHi) &&
      nodeVisible(graph.getNodeAttributes(graph.source(edge))) &&
      nodeVisible(graph.getNodeAttributes(graph.target(edge)))
    );
  };

  const renderer = new Sigma(graph, canvasBox, {
    renderEdgeLabels: false,
    labelFont: "system-ui, sans-serif",
    labelSize: 12,
    labelRenderedSizeThreshold: 7,
    defaultEdgeColor: EDGE_COLOUR,
    zIndex: true,
    nodeReducer: (node, attrs) => {
      const res: Partial<Attributes> = { ...attrs };
      const category = (attrs[colourKey] as string | null) ?? UNKNOWN_LABEL;
      res.color = colours.get(category);
      res.size = nodeSize(attrs.score ?? null, maxScore);
      if (!nodeVisible(attrs)) res.hidden = true;
      if (path) {
        if (path.includes(node)) {
          res.highlighted = true;
          res.zIndex = 2;
        } else {
          res.color = FADED;
          res.label = "";
          res.zIndex = 0;
        }
      }
      if (node === selected) {
        res.highlighted = true;
        res.zIndex = 3;
      }
      return res;
    },
    edgeReducer: (edge, attrs) => {
      const res: Partial<Attributes> = { ...attrs };
      res.size = Math.min(4, 0.6 + Math.log2(1 + Number(attrs.weight ?? 1)) * 0.6);
      if (!edgeVisible(edge)) res.hidden = true;
      if (path) {
        if (pathEdgeSet.has(edge)) {
          res.color = PATH_COLOUR;
          res.size = 3;
          res.zIndex = 2;
        } else {
          res.color = FADED;
          res.zIndex = 0;
        }
      }
      return res;
    },
  });

  function refreshColours(): void {
    const values: (string | null)[] = [];
    maxScore = 0;
    graph.forEachNode((_n, a) => {
      values.push((a[colourKey] as string | null) ?? null);
      maxScore = Math.max(maxScore, Number(a.score ?? 0));
    });
    colours = categoryColours(values);
    legend.setAttribute("aria-label", `Colours by ${colourKey}`);
    legend.replaceChildren(
      ...[...colours].map(([value, colour]) => {
        const swatch = h("span", { class: "swatch", "aria-hidden": "true" });
        swatch.style.backgroundColor = colour;
        return h("li", {}, swatch, colourKey === "cell" && value !== UNKNOWN_LABEL ? `cell ${value}` : value);
      }),
    );
  }

  function refreshLists(): void {
    const nodes = graph.nodes().sort((a, b) => labelOf(a).localeCompare(labelOf(b)));
    for (const select of [fromSelect, toSelect]) {
      const keep = select.value;
      select.replaceChildren(
        h("option", { value: "" }, "(choose)"),
        ...nodes.map((n) => h("option", { value: n }, labelOf(n))),
      );
      if (keep && graph.hasNode(keep)) select.value = keep;
    }
    peopleSummary.textContent = `People in this chart (${graph.order})`;
    peopleList.replaceChildren(
      ...nodes.map((n) =>
        h("li", {}, h("button", { type: "button", class: "link-button", "data-node": n, onclick: () => select(n) }, labelOf(n))),
      ),
    );
  }

  function refreshTime(): void {
    const span = dateSpan(graph);
    timeBox.hidden = span === null;
    if (span === null) return;
    const [lo, hi] = span;
    const wasFull = loInput.value === loInput.min && hiInput.value === hiInput.max;
    for (const input of [loInput, hiInput]) {
      input.min = String(lo);
      input.max = String(hi);
    }
    if (wasFull || windowLo === -Infinity) {
      loInput.value = String(lo);
      hiInput.value = String(hi);
    }
    readWindow();
  }

  function readWindow(): void {
    let lo = Number(loInput.value);
    let hi = Number(hiInput.value);
    if (lo > hi) [lo, hi] = [hi, lo];
    const full = String(lo) === loInput.min && String(hi) === hiInput.max;
    windowLo = full ? -Infinity : lo;
    windowHi = full ? Infinity : hi;
    loOut.textContent = isoOfDay(lo);
    hiOut.textContent = isoOfDay(hi);
    loInput.setAttribute("aria-valuetext", isoOfDay(lo));
    hiInput.setAttribute("aria-valuetext", isoOfDay(hi));
  }

  function labelOf(node: string): string {
    return String(graph.getNodeAttribute(node, "label") ?? node);
  }

  function updateStatus(extra = ""): void {
    let nodes = 0;
    let edges = 0;
    graph.forEachNode((_n, a) => {
      if (nodeVisible(a)) nodes += 1;
    });
    graph.forEachEdge((e) => {
      if (edgeVisible(e)) edges += 1;
    });
    const base = `${nodes} people and ${edges} links shown`;
    status.textContent = extra ? `${extra} ${base}.` : `${base}.`;
    canvasBox.setAttribute("aria-label", `${title}: ${base}`);
    el.dataset.nodes = String(graph.order);
    el.dataset.edges = String(graph.size);
  }

  function showPanel(node: string): void {
    const a = graph.getNodeAttributes(node);
    const rows: [string, string][] = [
      ["Cell", a.cell ?? UNKNOWN_LABEL],
      ["Role", a.role ?? UNKNOWN_LABEL],
      ["Key-player score", a.score === null || a.score === undefined ? "—" : Number(a.score).toFixed(3)],
      ["First seen", readableTime(a.first_seen) || "—"],
      ["Last seen", readableTime(a.last_seen) || "—"],
      ["Links", String(graph.degree(node))],
    ];
    const actions: HTMLElement[] = [];
    if (entityUrl) actions.push(h("a", { href: withId(entityUrl, node) }, `Open ${labelOf(node)}`));
    if (expandUrl) {
      actions.push(
        h(
          "button",
          { type: "button", onclick: () => void expand(node), disabled: expanded.has(node) },
          expanded.has(node) ? "Expanded" : "Expand",
        ),
      );
    }
    actions.push(h("button", { type: "button", onclick: () => setEnd(fromSelect, node) }, "Path from here"));
    actions.push(h("button", { type: "button", onclick: () => setEnd(toSelect, node) }, "Path to here"));
    panel.replaceChildren(
      h("p", { class: "nw-panel-title" }, h("strong", {}, labelOf(node))),
      h("dl", {}, ...rows.flatMap(([k, v]) => [h("dt", {}, k), h("dd", {}, v)])),
      h("div", { class: "nw-actions" }, ...actions),
    );
  }

  function select(node: string | null): void {
    selected = node;
    if (node) showPanel(node);
    else panel.replaceChildren(h("p", { class: "muted" }, "Select a person to see details. Double-click a node to expand it."));
    renderer.refresh({ skipIndexation: true });
  }

  function setEnd(which: HTMLSelectElement, node: string): void {
    which.value = node;
    if (fromSelect.value && toSelect.value) runPath();
  }

  function runPath(): void {
    const from = fromSelect.value;
    const to = toSelect.value;
    if (!from || !to) {
      updateStatus("Choose two people to find a path.");
      return;
    }
    const found = findPath(graph, from, to, edgeVisible);
    path = found;
    pathEdgeSet = new Set(found ? pathEdges(graph, found) : []);
    if (found) {
      el.dataset.path = found.join(" ");
      updateStatus(`Path: ${found.map(labelOf).join(" → ")} (${found.length - 1} links).`);
    } else {
      delete el.dataset.path;
      updateStatus(`No path between ${labelOf(from)} and ${labelOf(to)} over the links shown.`);
      path = null;
    }
    renderer.refresh({ skipIndexation: true });
  }

  function clearPath(): void {
    path = null;
    pathEdgeSet = new Set();
    fromSelect.value = "";
    toSelect.value = "";
    delete el.dataset.path;
    updateStatus();
    renderer.refresh({ skipIndexation: true });
  }

  let shiftFirst: string | null = null;

  async function expand(node: string): Promise<void> {
    if (!expandUrl || expanded.has(node)) return;
    el.setAttribute("aria-busy", "true");
    try {
      const more = parseGraphData(await fetchJson(withId(expandUrl, node)));
      const anchor = graph.getNodeAttributes(node);
      const result = mergeGraph(graph, more, { x: anchor.x, y: anchor.y });
      expanded.add(node);
      layout(graph, 60);
      refreshColours();
      refreshLists();
      refreshTime();
      renderer.refresh();
      if (path) runPath();
      updateStatus(`Expanded ${labelOf(node)}: ${result.addedNodes.length} people and ${result.addedEdges} links added.`);
      if (selected === node) showPanel(node);
    } catch (err) {
      updateStatus(err instanceof WidgetError || err instanceof Error ? `Could not expand: ${err.message}` : "Could not expand.");
    } finally {
      el.removeAttribute("aria-busy");
    }
  }

  function exportPng(): void {
    renderer.refresh(); // draw now, so the WebGL buffers still hold the frame when copied
    const canvases = renderer.getCanvases();
    const base = canvases.nodes ?? Object.values(canvases)[0];
    const out = document.createElement("canvas");
    out.width = base.width;
    out.height = base.height;
    const ctx = out.getContext("2d");
    if (!ctx) return;
    ctx.fillStyle = "#ffffff";
    ctx.fillRect(0, 0, out.width, out.height);
    for (const layer of ["edges", "nodes", "edgeLabels", "labels", "hovers", "hoverNodes"]) {
      const canvas = canvases[layer];
      if (canvas) ctx.drawImage(canvas, 0, 0, out.width, out.height);
    }
    out.toBlob((blob) => {
      if (blob) download(blob, `${el.dataset.filename ?? "network"}.png`);
    }, "image/png");
  }

  // --- events
  colourSelect.addEventListener("change", () => {
    colourKey = colourSelect.value === "role" ? "role" : "cell";
    refreshColours();
    renderer.refresh({ skipIndexation: true });
  });
  for (const input of [loInput, hiInput]) {
    input.addEventListener("input", () => {
      readWindow();
      if (path) runPath();
      else updateStatus();
      renderer.refresh({ skipIndexation: true });
    });
  }
  pathButton.addEventListener("click", runPath);
  clearButton.addEventListener("click", clearPath);
  pngButton.addEventListener("click", exportPng);
  function shiftPick(node: string): void {
    if (shiftFirst === null || shiftFirst === node) {
      shiftFirst = node;
      fromSelect.value = node;
      toSelect.value = "";
      updateStatus(`Path from ${labelOf(node)}: shift-click a second person.`);
    } else {
      toSelect.value = node;
      shiftFirst = null;
      runPath();
    }
  }
  renderer.on("clickNode", ({ node, event }) => {
    if ((event.original as MouseEvent).shiftKey) shiftPick(node);
    select(node);
  });
  renderer.on("doubleClickNode", ({ node, event }) => {
    event.preventSigmaDefault();
    // Two quick shift-clicks read as a double-click: they still pick the path's second end.
    if ((event.original as MouseEvent).shiftKey) {
      if (shiftFirst !== node) shiftPick(node);
      select(node);
    } else void expand(node);
  });
  renderer.on("clickStage", () => select(null));

  refreshColours();
  refreshLists();
  refreshTime();
  select(null);
  updateStatus();
  // A handle for the browser tests and for debugging from the console.
  (el as HTMLElement & { mareNetwork?: unknown }).mareNetwork = { graph, renderer };
  return () => renderer.kill();
}
