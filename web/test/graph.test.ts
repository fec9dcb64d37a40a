import Graph from "graphology";
import { describe, expect, it } from "vitest";
import {
  categoryColours,
  dateSpan,
  dayOf,
  findPath,
  inWindow,
  isoOfDay,
  mergeGraph,
  nodeSize,
  parseGraphData,
  pathEdges,
  UNKNOWN_COLOUR,
} from "../src/lib/graph";

const chain = parseGraphData({
  nodes: [
    { id: "a", label: "Ana" },
    { id: "b", label: "Bo", cell: "north" },
    { id: "c", label: "Cy" },
    { id: "d", label: "Di" },
  ],
  edges: [
    { source: "a", target: "b", weight: 2, kinds: ["call"], first: "2024-01-01", last: "2024-01-31" },
    { source: "b", target: "c", weight: 1, kinds: ["trip"], first: "2024-06-01", last: "2024-06-02" },
    { source: "c", target: "d", weight: 1, kinds: ["call"] },
  ],
});

function fresh(): Graph {
  const g = new Graph({ type: "undirected" });
  mergeGraph(g, chain);
  return g;
}

describe("parseGraphData", () => {
  it("names the bad field", () => {
    expect(() => parseGraphData({ nodes: [{ label: "x" }] })).toThrow("nodes[0] has no id");
    expect(() => parseGraphData({ nodes: [], edges: [{ source: "a" }] })).toThrow("edges[0] needs a source and a target");
    expect(() => parseGraphData({ nodes: [{ id: "a", score: "high" }] })).toThrow("nodes[0].score should be a number");
    expect(() => parseGraphData([])).toThrow("'nodes' should be a list");
  });
  it("fills defaults", () => {
    const d = parseGraphData({ nodes: [{ id: 7 }], edges: [{ source: 7, target: 8 }] });
    expect(d.nodes[0]).toMatchObject({ id: "7", label: "7", cell: null, score: null });
    expect(d.edges[0]).toMatchObject({ weight: 1, kinds: [], first: null });
  });
});

describe("mergeGraph", () => {
  it("adds new nodes and edges, and merges repeats", () => {
    const g = fresh();
    expect(g.order).toBe(4);
    expect(g.size).toBe(3);
    const more = parseGraphData({
      nodes: [{ id: "b", label: "Bo", role: "broker" }, { id: "e", label: "Ed" }],
      edges: [
        { source: "b", target: "a", kinds: ["meeting"], first: "2023-12-01", last: "2024-02-15", weight: 5 },
        { source: "b", target: "e" },
        { source: "e", target: "e" },
      ],
    });
    const res = mergeGraph(g, more, { x: 0, y: 0 });
    expect(res).toEqual({ addedNodes: ["e"], addedEdges: 1 });
    expect(g.order).toBe(5);
    expect(g.size).toBe(4);
    const ab = g.getEdgeAttributes(g.edge("a", "b")!);
    expect(ab.kinds).toEqual(["call", "meeting"]);
    expect(ab.first).toBe("2023-12-01");
    expect(ab.last).toBe("2024-02-15");
    expect(ab.weight).toBe(5);
    expect(g.getNodeAttribute("b", "cell")).toBe("north");
    expect(g.getNodeAttribute("b", "role")).toBe("broker");
  });
  it("creates ends that the nodes list lacks", () => {
    const g = new Graph({ type: "undirected" });
    mergeGraph(g, parseGraphData({ nodes: [{ id: "a" }], edges: [{ source: "a", target: "z" }] }));
    expect(g.hasNode("z")).toBe(true);
    expect(g.getNodeAttribute("z", "label")).toBe("z");
  });
  it("places nodes the same way each time", () => {
    const g1 = fresh();
    const g2 = fresh();
    expect(g1.getNodeAttributes("c")).toEqual(g2.getNodeAttributes("c"));
  });
});

describe("time window", () => {
  it("reads dates as day numbers", () => {
    expect(dayOf("1970-01-02")).toBe(1);
    expect(dayOf("2024-01-01T10:00:00Z")).toBe(dayOf("2024-01-01"));
    expect(dayOf(null)).toBeNull();
    expect(dayOf("soon")).toBeNull();
    expect(isoOfDay(dayOf("2024-02-29")!)).toBe("2024-02-29");
  });
  it("keeps intervals that touch the window and undated items", () => {
    const lo = dayOf("2024-01-15")!;
    const hi = dayOf("2024-03-01")!;
    expect(inWindow("2024-01-01", "2024-01-31", lo, hi)).toBe(true);
    expect(inWindow("2024-06-01", "2024-06-02", lo, hi)).toBe(false);
    expect(inWindow("2023-01-01", "2023-12-31", lo, hi)).toBe(false);
    expect(inWindow(null, null, lo, hi)).toBe(true);
    expect(inWindow("2024-02-01", null, lo, hi)).toBe(true);
  });
  it("spans the graph's dates", () => {
    expect(dateSpan(fresh())).toEqual([dayOf("2024-01-01"), dayOf("2024-06-02")]);
    const g = new Graph({ type: "undirected" });
    mergeGraph(g, parseGraphData({ nodes: [{ id: "a" }], edges: [] }));
    expect(dateSpan(g)).toBeNull();
  });
});

describe("findPath", () => {
  it("finds the fewest links", () => {
    const g = fresh();
    expect(findPath(g, "a", "d")).toEqual(["a", "b", "c", "d"]);
    expect(pathEdges(g, ["a", "b", "c"])).toEqual([g.edge("a", "b"), g.edge("b", "c")]);
    g.addEdge("a", "d");
    expect(findPath(g, "a", "d")).toEqual(["a", "d"]);
  });
  it("goes only over the links kept", () => {
    const g = fresh();
    const lo = dayOf("2024-01-01")!;
    const hi = dayOf("2024-02-01")!;
    const keep = (e: string) => {
      const a = g.getEdgeAttributes(e);
      return inWindow(a.first, a.last, lo, hi);
    };
    expect(findPath(g, "a", "d", keep)).toBeNull();
    expect(findPath(g, "a", "b", keep)).toEqual(["a", "b"]);
    expect(findPath(g, "a", "missing")).toBeNull();
    expect(findPath(g, "a", "a")).toEqual(["a"]);
  });
});

describe("colours and sizes", () => {
  it("gives each value one colour and grey to the unknown", () => {
    const c = categoryColours(["north", null, "south", "north"]);
    expect(c.size).toBe(3);
    expect(c.get("not known")).toBe(UNKNOWN_COLOUR);
    expect(c.get("north")).not.toBe(c.get("south"));
  });
  it("sizes by score", () => {
    expect(nodeSize(null, 1)).toBe(4);
    expect(nodeSize(1, 1)).toBe(18);
    expect(nodeSize(0.25, 1)).toBeCloseTo(11);
  });
});
