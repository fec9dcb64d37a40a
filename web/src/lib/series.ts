// Pure parsing for the chart and timeline widgets; messages name the bad field.

export interface ChartData {
  type: "bar" | "line";
  title: string;
  x: string[];
  series: { name: string; values: (number | null)[] }[];
  yLabel: string;
}

export function parseChart(raw: unknown): ChartData {
  if (typeof raw !== "object" || raw === null) throw new Error("chart data: expected an object");
  const r = raw as Record<string, unknown>;
  const type = r.type ?? "bar";
  if (type !== "bar" && type !== "line") throw new Error(`chart data: 'type' is ${JSON.stringify(type)}; expected "bar" or "line"`);
  if (!Array.isArray(r.x)) throw new Error("chart data: 'x' should be a list of labels");
  if (!Array.isArray(r.series)) throw new Error("chart data: 'series' should be a list");
  const x = r.x.map((v) => String(v));
  const series = r.series.map((s: unknown, i: number) => {
    if (typeof s !== "object" || s === null) throw new Error(`chart data: series[${i}] should be an object`);
    const sr = s as Record<string, unknown>;
    if (!Array.isArray(sr.values)) throw new Error(`chart data: series[${i}].values should be a list`);
    if (sr.values.length !== x.length) {
      throw new Error(`chart data: series[${i}] has ${sr.values.length} values for ${x.length} x labels`);
    }
    const values = sr.values.map((v: unknown, j: number) => {
      if (v === null) return null;
      if (typeof v !== "number" || !Number.isFinite(v)) {
        throw new Error(`chart data: series[${i}].values[${j}] is ${JSON.stringify(v)}, not a number`);
      }
      return v;
    });
    return { name: sr.name === undefined || sr.name === null ? `Series ${i + 1}` : String(sr.name), values };
  });
  return { type, title: r.title ? String(r.title) : "", x, series, yLabel: r.y_label ? String(r.y_label) : "" };
}

export interface TimelineItem {
  time: string;
  t: number;
  label: string;
  kind: string;
  ref: string | null;
}

export function parseTimeline(raw: unknown, parseTime: (iso: string) => number): TimelineItem[] {
  if (typeof raw !== "object" || raw === null || !Array.isArray((raw as { items?: unknown }).items)) {
    throw new Error("timeline data: expected an object with a list of 'items'");
  }
  const items = (raw as { items: unknown[] }).items.map((it, i): TimelineItem => {
    if (typeof it !== "object" || it === null) throw new Error(`timeline data: items[${i}] should be an object`);
    const r = it as Record<string, unknown>;
    if (typeof r.time !== "string") throw new Error(`timeline data: items[${i}].time should be an ISO date`);
    const t = parseTime(r.time);
    if (Number.isNaN(t)) throw new Error(`timeline data: items[${i}].time ${JSON.stringify(r.time)} is not an ISO date`);
    return {
      time: r.time,
      t,
      label: r.label === undefined || r.label === null ? "" : String(r.label),
      kind: r.kind === undefined || r.kind === null || r.kind === "" ? "other" : String(r.kind),
      ref: r.ref === undefined || r.ref === null ? null : String(r.ref),
    };
  });
  return items.sort((a, b) => a.t - b.t);
}
