// Chart widget: a small SVG bar or line chart with a title, axes, a legend and the data as a table.
import { fetchJson, h, s, sourceOf, uid } from "../common";
import { bands, linear, niceTicks, shortNumber } from "../lib/scales";
import { parseChart, type ChartData } from "../lib/series";

const SERIES_COLOURS = ["#1d4ed8", "#c2410c", "#0f766e", "#7c3aed", "#a16207", "#be185d"];
const W = 640;
const H = 300;
const M = { top: 12, right: 16, bottom: 28, left: 52 };

function draw(data: ChartData, titleId: string): SVGElement {
  const all = data.series.flatMap((sr) => sr.values).filter((v): v is number => v !== null);
  const ticks = niceTicks(Math.min(0, ...all), Math.max(0, ...all), 5);
  const y = linear([ticks[0], ticks[ticks.length - 1]], [H - M.bottom, M.top]);
  const band = bands(data.x.length, [M.left, W - M.right], data.type === "bar" ? 0.25 : 0);
  const svg = s("svg", { viewBox: `0 0 ${W} ${H}`, role: "img", "aria-labelledby": titleId, class: "chart-svg" });
  const axis = s("g", { class: "axis", "aria-hidden": "true" });
  for (const t of ticks) {
    axis.append(
      s("line", { x1: M.left, x2: W - M.right, y1: y(t), y2: y(t), class: t === 0 ? "zero" : "grid" }),
      s("text", { x: M.left - 6, y: y(t) + 4, "text-anchor": "end" }, shortNumber(t)),
    );
  }
  const every = Math.max(1, Math.ceil(data.x.length / 12));
  data.x.forEach((label, i) => {
    if (i % every !== 0) return;
    const cx = band.start(i) + band.width / 2;
    const text = label.length > 12 ? `${label.slice(0, 11)}…` : label;
    axis.append(s("text", { x: cx, y: H - M.bottom + 16, "text-anchor": "middle" }, text));
  });
  if (data.yLabel) {
    axis.append(s("text", { x: 12, y: M.top + (H - M.top - M.bottom) / 2, transform: `rotate(-90 12 ${M.top + (H - M.top - M.bottom) / 2})`, "text-anchor": "middle" }, data.yLabel));
  }
  svg.append(axis);
  const n = data.series.length;
  data.series.forEach((sr, k) => {
    const colour = SERIES_COLOURS[k % SERIES_COLOURS.length];
    const g = s("g", { class: "series", fill: colour, stroke: colour });
    if (data.type === "bar") {
      const width = band.width / n;
      sr.values.forEach((v, i) => {
        if (v === null) return;
        const x = band.start(i) + k * width;
        const top = Math.min(y(v), y(0));
        const rect = s("rect", { x, y: top, width: Math.max(1, width - 1), height: Math.abs(y(v) - y(0)), stroke: "none" });
        rect.append(s("title", {}, `${sr.name}, ${data.x[i]}: ${v}`));
        g.append(rect);
      });
    } else {
      let d = "";
      sr.values.forEach((v, i) => {
        if (v === null) return;
        const cx = band.start(i) + band.width / 2;
        d += `${d && sr.values[i - 1] !== null ? "L" : "M"}${cx.toFixed(1)},${y(v).toFixed(1)}`;
        const dot = s("circle", { cx, cy: y(v), r: 3 });
        dot.append(s("title", {}, `${sr.name}, ${data.x[i]}: ${v}`));
        g.append(dot);
      });
      g.prepend(s("path", { d, fill: "none", "stroke-width": 2 }));
    }
    svg.append(g);
  });
  return svg;
}

function table(data: ChartData): HTMLElement {
  return h(
    "table",
    {},
    h("caption", {}, data.title || "Chart data"),
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, ""), ...data.series.map((sr) => h("th", { scope: "col" }, sr.name)))),
    h(
      "tbody",
      {},
      ...data.x.map((label, i) =>
        h("tr", {}, h("th", { scope: "row" }, label), ...data.series.map((sr) => h("td", { class: "num" }, sr.values[i] === null ? "" : String(sr.values[i])))),
      ),
    ),
  );
}

export async function mount(el: HTMLElement): Promise<void> {
  const data = parseChart(await fetchJson(sourceOf(el)));
  const titleId = uid("chart-title");
  const title = data.title || el.dataset.title || "Chart";
  const legend =
    data.series.length > 1
      ? h(
          "ul",
          { class: "chart-legend", "aria-hidden": "true" },
          ...data.series.map((sr, k) => {
            const swatch = h("span", { class: "swatch" });
            swatch.style.backgroundColor = SERIES_COLOURS[k % SERIES_COLOURS.length];
            return h("li", {}, swatch, sr.name);
          }),
        )
      : null;
  el.classList.add("chart");
  el.replaceChildren(
    h(
      "figure",
      {},
      h("figcaption", { id: titleId, class: "chart-title" }, title),
      data.x.length === 0 ? h("p", { class: "widget-empty" }, "No data to chart.") : draw(data, titleId),
      legend,
      h("details", { class: "chart-data" }, h("summary", {}, "Data table"), table(data)),
    ),
  );
}
