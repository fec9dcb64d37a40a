// Pure network helpers: parse the server's graph JSON, merge it into a graphology graph,
// filter edges by time, find a path, pick colours and sizes. No DOM here (unit-tested).
import Graph from "graphology";
import { visible } from "./text";
import { bidirectional } from "graphology-shortest-path/unweighted";

export interface NodeData {
  id: string;
  label: string;
  cell: string | null;
  role: string | null;
  score: number | null;
  first_seen: string | null;
  last_seen: string | null;
}

export interface EdgeData {
  source: string;
  target: string;
  weight: number;
  kinds: string[];
  first: string | null;
  last: string | null;
}

export interface GraphData {
  nodes: NodeData[];
  edges: EdgeData[];
}

export type NetGraph = Graph;

const DAY_MS = 86_400_000;

function optString(value: unknown, where: string): string | null {
  if (value === null || value === undefined || value === "") return null;
  if (typeof value === "string") return value;
  if (typeof value === "number") return String(value);
  throw new Error(`${where} should be text, not ${typeof value}`);
}

function optNumber(value: unknown, where: string): number | null {
  if (value === null || value === undefined) return null;
  if (typeof value === "number" && Number.isFinite(value)) return value;
  throw new Error(`${where} should be a number, not ${JSON.stringify(value)}`);
}

/** Check and normalise the server's `{"nodes": [...], "edges": [...]}`; the message names the bad field. */
export function parseGraphData(raw: unknown): GraphData {
  if (typeof raw !== "object" || raw === null) throw new Error("network data: expected an object with nodes and edges");
  const obj = raw as Record<string, unknown>;
  if (!Array.isArray(obj.nodes)) throw new Error("network data: 'nodes' should be a list");
  if (obj.edges !== undefined && !Array.isArray(obj.edges)) throw new Error("network data: 'edges' should be a list");
  const nodes = obj.nodes.map((n: unknown, i: number): NodeData => {
    const where = `network data: nodes[${i}]`;
    if (typeof n !== "object" || n === null) throw new Error(`${where} should be an object`);
    const r = n as Record<string, unknown>;
    const id = optString(r.id, `${where}.id`);
    if (id === null) throw new Error(`${where} has no id`);
    return {
      id,
      label: visible(optString(r.label, `${where}.label`) ?? id),
      cell: optString(r.cell, `${where}.cell`),
      role: optString(r.role, `${where}.role`),
      score: optNumber(r.score, `${where}.score`),
      first_seen: optString(r.first_seen, `${where}.first_seen`),
      last_seen: optString(r.last_seen, `${where}.last_seen`),
    };
  });
  const edges = ((obj.edges as unknown[] | undefined) ?? []).map((e: unknown, i: number): EdgeData => {
    const where = `network data: edges[${i}]`;
    if (typeof e !== "object" || e === null) throw new Error(`${where} should be an object`);
    const r = e as Record<string, unknown>;
    const source = optString(r.source, `${where}.source`);
    const target = optString(r.target, `${where}.target`);
    if (source === null || target === null) throw new Error(`${where} needs a source and a target`);
    let kinds: string[] = [];
    if (Array.isArray(r.kinds)) kinds = r.kinds.map((k, j) => optString(k, `${where}.kinds[${j}]`) ?? "");
    else if (r.kinds !== undefined && r.kinds !== null) throw new Error(`${where}.kinds should be a list`);
    return {
      source,
      target,
      weight: optNumber(r.weight, `${where}.weight`) ?? 1,
      kinds: kinds.filter((k) => k !== ""),
      first: optString(r.first, `${where}.first`),
      last: optString(r.last, `${where}.last`),
    };
  });
  return { nodes, edges };
}

/** Days since 1970-01-01 of an ISO date or timestamp; null when absent or unreadable. */
export function dayOf(iso: string | null | undefined): number | null {
  if (!iso) return null;
  const ms = Date.parse(iso.length === 10 ? `${iso}T00:00:00Z` : iso);
  return Number.isNaN(ms) ? null : Math.floor(ms / DAY_MS);
}

/** The ISO date (YYYY-MM-DD) of a day number. */
export function isoOfDay(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

function minIso(a: string | null, b: string | null): string | null {
  if (a === null) return b;
  if (b === null) return a;
  return (dayOf(a) ?? 0) <= (dayOf(b) ?? 0) ? a : b;
}

function maxIso(a: string | null, b: string | null): string | null {
  if (a === null) return b;
  if (b === null) return a;
  return (dayOf(a) ?? 0) >= (dayOf(b) ?? 0) ? a : b;
}

/** A stable position in [-1, 1] from a string, so that layouts repeat from run to run. */
function hashUnit(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 16777619);
  }
  return ((h >>> 0) / 0xffffffff) * 2 - 1;
}

export interface MergeResult {
  addedNodes: string[];
  addedEdges: number;
}

/**
 * Merge nodes and edges into the graph: new nodes are placed around `anchor` (or on a spiral),
 * known nodes get their non-empty fields updated, parallel edges join (kinds united, dates widened).
 */
export function mergeGraph(graph: NetGraph, data: GraphData, anchor?: { x: number; y: number }): MergeResult {
  const addedNodes: string[] = [];
  let addedEdges = 0;
  const start = graph.order;
  data.nodes.forEach((n) => {
    if (graph.hasNode(n.id)) {
      const patch: Record<string, unknown> = { label: n.label };
      for (const key of ["cell", "role", "score", "first_seen", "last_seen"] as const) {
        if (n[key] !== null) patch[key] = n[key];
      }
      graph.mergeNodeAttributes(n.id, patch);
      return;
    }
    let x: number;
    let y: number;
    if (anchor) {
      const angle = Math.PI * (1 + hashUnit(n.id));
      const radius = 1 + 0.5 * Math.abs(hashUnit(`${n.id}#r`));
      x = anchor.x + radius * Math.cos(angle);
      y = anchor.y + radius * Math.sin(angle);
    } else {
      const i = start + addedNodes.length;
      const angle = i * 2.399963229728653; // golden angle
      const radius = 10 * Math.sqrt(i + 1);
      x = radius * Math.cos(angle);
      y = radius * Math.sin(angle);
    }
    graph.addNode(n.id, { ...n, x, y });
    addedNodes.push(n.id);
  });
  data.edges.forEach((e) => {
    if (e.source === e.target) return;
    for (const end of [e.source, e.target]) {
      if (!graph.hasNode(end)) {
        graph.addNode(end, {
          id: end, label: end, cell: null, role: null, score: null, first_seen: null, last_seen: null,
          x: (anchor?.x ?? 0) + hashUnit(end), y: (anchor?.y ?? 0) + hashUnit(`${end}#y`),
        });
        addedNodes.push(end);
      }
    }
    const key = graph.edge(e.source, e.target);
    if (key === undefined) {
      graph.addEdge(e.source, e.target, { weight: e.weight, kinds: [...e.kinds], first: e.first, last: e.last });
      addedEdges += 1;
      return;
    }
    const old = graph.getEdgeAttributes(key);
    graph.mergeEdgeAttributes(key, {
      weight: Math.max(Number(old.weight ?? 1), e.weight),
      kinds: [...new Set([...(old.kinds as string[]), ...e.kinds])].sort(),
      first: minIso(old.first as string | null, e.first),
      last: maxIso(old.last as string | null, e.last),
    });
  });
  return { addedNodes, addedEdges };
}

/** Whether the interval [first, last] touches the window [lo, hi] (day numbers); undated items always do. */
export function inWindow(first: string | null, last: string | null, lo: number, hi: number): boolean {
  const a = dayOf(first);
  const b = dayOf(last);
  if (a === null && b === null) return true;
  const start = a ?? b ?? 0;
  const end = b ?? a ?? 0;
  return end >= lo && start <= hi;
}

/** The first and last day over the graph's edges and nodes, or null when nothing is dated. */
export function dateSpan(graph: NetGraph): [number, number] | null {
  let lo = Infinity;
  let hi = -Infinity;
  const see = (iso: unknown) => {
    const d = dayOf(typeof iso === "string" ? iso : null);
    if (d === null) return;
    lo = Math.min(lo, d);
    hi = Math.max(hi, d);
  };
  graph.forEachEdge((_k, a) => {
    see(a.first);
    see(a.last);
  });
  graph.forEachNode((_k, a) => {
    see(a.first_seen);
    see(a.last_seen);
  });
  return lo === Infinity ? null : [lo, hi];
}

/** The shortest path (fewest links) from `from` to `to` over the edges `keep` accepts; null when none. */
export function findPath(
  graph: NetGraph,
  from: string,
  to: string,
  keep: (edge: string) => boolean = () => true,
): string[] | null {
  if (!graph.hasNode(from) || !graph.hasNode(to)) return null;
  if (from === to) return [from];
  const visible = new Graph({ type: "undirected" });
  graph.forEachNode((n) => visible.addNode(n));
  graph.forEachEdge((edge, _a, s, t) => {
    if (keep(edge) && !visible.hasEdge(s, t)) visible.addEdge(s, t);
  });
  return bidirectional(visible, from, to);
}

/** The edge keys along a path of node ids. */
export function pathEdges(graph: NetGraph, path: string[]): string[] {
  const keys: string[] = [];
  for (let i = 1; i < path.length; i++) {
    const key = graph.edge(path[i - 1], path[i]);
    if (key !== undefined) keys.push(key);
  }
  return keys;
}

// Tableau 10: distinct hues that read on white; grey for "not known".
export const PALETTE = [
  "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
  "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#3d5a80",
];
export const UNKNOWN_COLOUR = "#9aa0a6";
export const UNKNOWN_LABEL = "not known";

/** One colour per category value, in order of first appearance after sorting; extra values share colours. */
export function categoryColours(values: Iterable<string | null>): Map<string, string> {
  const seen = [...new Set([...values].map((v) => v ?? UNKNOWN_LABEL))].sort((a, b) => a.localeCompare(b));
  const colours = new Map<string, string>();
  let i = 0;
  for (const value of seen) {
    if (value === UNKNOWN_LABEL) colours.set(value, UNKNOWN_COLOUR);
    else colours.set(value, PALETTE[i++ % PALETTE.length]);
  }
  return colours;
}

/** Node size in pixels from a key-player score: 4 for none, up to 18 for the top score. */
export function nodeSize(score: number | null, maxScore: number): number {
  if (score === null || score <= 0 || maxScore <= 0) return 4;
  return 4 + 14 * Math.sqrt(Math.min(score, maxScore) / maxScore);
}
