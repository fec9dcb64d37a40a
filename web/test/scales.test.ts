import { describe, expect, it } from "vitest";
import { bands, linear, niceTicks, parseTime, shortNumber, timeTicks } from "../src/lib/scales";
import { parseChart, parseTimeline } from "../src/lib/series";
import { bounds, kindsPresent, parseFeatures } from "../src/lib/geo";

describe("scales", () => {
  it("makes nice ticks covering the data", () => {
    expect(niceTicks(0, 97, 5)).toEqual([0, 20, 40, 60, 80, 100]);
    expect(niceTicks(-3, 7, 5)).toEqual([-4, -2, 0, 2, 4, 6, 8]);
    expect(niceTicks(0, 0.33, 3)).toEqual([0, 0.2, 0.4]);
    expect(niceTicks(5, 5)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(niceTicks(0, 0)).toEqual([0, 1]);
  });
  it("maps linearly and into bands", () => {
    const y = linear([0, 100], [300, 0]);
    expect(y(0)).toBe(300);
    expect(y(50)).toBe(150);
    expect(linear([2, 2], [0, 10])(2)).toBe(5);
    const b = bands(4, [0, 100], 0.2);
    expect(b.width).toBeCloseTo(20);
    expect(b.start(0)).toBeCloseTo(2.5);
    expect(b.start(3)).toBeCloseTo(77.5);
  });
  it("labels numbers and times shortly", () => {
    expect(shortNumber(12500)).toBe("12.5k");
    expect(shortNumber(0.30000000000000004)).toBe("0.3");
    expect(timeTicks(parseTime("2020-03-01"), parseTime("2024-06-01")).map((t) => t.label)).toEqual(["2021", "2022", "2023", "2024"]);
    expect(timeTicks(parseTime("2024-01-15"), parseTime("2024-07-15"), 6)[0].label).toBe("Feb 2024");
    expect(timeTicks(parseTime("2024-01-01"), parseTime("2024-01-05"), 6).map((t) => t.label)).toEqual(["1 Jan", "2 Jan", "3 Jan", "4 Jan", "5 Jan"]);
  });
});

describe("chart and timeline data", () => {
  it("checks chart data", () => {
    expect(() => parseChart({ type: "pie", x: [], series: [] })).toThrow('expected "bar" or "line"');
    expect(() => parseChart({ type: "bar", x: ["a", "b"], series: [{ name: "n", values: [1] }] })).toThrow(
      "series[0] has 1 values for 2 x labels",
    );
    expect(() => parseChart({ type: "line", x: ["a"], series: [{ values: ["1"] }] })).toThrow('values[0] is "1"');
    expect(parseChart({ type: "line", x: [2024], series: [{ values: [null] }] })).toMatchObject({
      x: ["2024"], series: [{ name: "Series 1", values: [null] }],
    });
  });
  it("sorts the timeline and names bad times", () => {
    const items = parseTimeline({ items: [{ time: "2024-05-01", label: "b" }, { time: "2024-01-01", label: "a", kind: "record" }] }, parseTime);
    expect(items.map((i) => i.label)).toEqual(["a", "b"]);
    expect(items[1].kind).toBe("other");
    expect(() => parseTimeline({ items: [{ time: "yesterday" }] }, parseTime)).toThrow('items[0].time "yesterday"');
  });
});

describe("map data", () => {
  const fc = {
    type: "FeatureCollection",
    features: [
      { type: "Feature", geometry: { type: "Point", coordinates: [10, 40] }, properties: { kind: "hotspot", count: 3 } },
      { type: "Feature", geometry: { type: "LineString", coordinates: [[-5, 35], [12, 44]] }, properties: { kind: "route" } },
    ],
  };
  it("checks kinds and computes bounds", () => {
    expect(bounds(parseFeatures(fc))).toEqual([-5, 35, 12, 44]);
    expect(kindsPresent(parseFeatures(fc))).toEqual(["hotspot", "route"]);
    expect(bounds(parseFeatures({ type: "FeatureCollection", features: [] }))).toBeNull();
    const bad = { ...fc, features: [{ ...fc.features[0], properties: { kind: "volcano" } }] };
    expect(() => parseFeatures(bad)).toThrow('features[0].properties.kind is "volcano"');
  });
});
