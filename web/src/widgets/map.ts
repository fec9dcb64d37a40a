// Map widget: MapLibre GL (CSP build) with an offline basemap — Natural Earth countries from
// world-atlas, shipped under /static/dist/ — and the page's GeoJSON: hotspots, emerging hotspots,
// routes, events and vessel tracks. Circle and line layers only, so no glyphs or sprites are needed.
import maplibregl from "maplibre-gl/dist/maplibre-gl-csp.js";
import workerUrl from "maplibre-gl/dist/maplibre-gl-csp-worker.js?url";
import atlasUrl from "world-atlas/countries-50m.json?url";
import "maplibre-gl/dist/maplibre-gl.css";
import { feature } from "topojson-client";
import type { Topology } from "topojson-specification";
import type { FeatureCollection } from "geojson";
import type { ExpressionSpecification, LayerSpecification, StyleSpecification } from "maplibre-gl";
import { fetchJson, h, readableTime, sourceOf, WidgetError } from "../common";
import { bounds, KIND_LABELS, kindsPresent, parseFeatures, type Kind } from "../lib/geo";

maplibregl.setWorkerUrl(workerUrl);

const COLOURS: Record<Kind, string> = {
  hotspot: "#c2410c",
  emerging_hotspot: "#7c3aed",
  route: "#1d4ed8",
  event: "#334155",
  track: "#0f766e",
  place: "#0369a1",
};

let atlas: Promise<FeatureCollection> | null = null;

/** The countries as GeoJSON, converted once per page from the bundled TopoJSON. */
function countries(): Promise<FeatureCollection> {
  atlas ??= fetch(atlasUrl, { credentials: "same-origin" })
    .then((r) => {
      if (!r.ok) throw new WidgetError(`The basemap (${atlasUrl}) is missing: run 'make setup' to build the widgets.`);
      return r.json() as Promise<Topology>;
    })
    .then((topo) => feature(topo, topo.objects.countries) as FeatureCollection);
  return atlas;
}

const count: ExpressionSpecification = ["sqrt", ["max", 1, ["coalesce", ["get", "count"], 1]]];
const isKind = (kind: Kind): ExpressionSpecification => ["==", ["get", "kind"], kind];

function dataLayers(): LayerSpecification[] {
  return [
    {
      id: "track", type: "line", source: "data", filter: isKind("track"),
      paint: { "line-color": COLOURS.track, "line-width": 2, "line-dasharray": [2, 1.5] },
    },
    {
      id: "route", type: "line", source: "data", filter: isKind("route"),
      layout: { "line-cap": "round" },
      paint: {
        "line-color": COLOURS.route, "line-opacity": 0.8,
        "line-width": ["interpolate", ["linear"], count, 1, 2, 5, 5, 15, 10],
      },
    },
    {
      id: "event", type: "circle", source: "data", filter: isKind("event"),
      paint: { "circle-radius": 3.5, "circle-color": COLOURS.event, "circle-stroke-color": "#ffffff", "circle-stroke-width": 1 },
    },
    {
      id: "place", type: "circle", source: "data", filter: isKind("place"),
      paint: {
        "circle-radius": ["interpolate", ["linear"], count, 1, 5, 5, 10, 15, 16],
        "circle-color": COLOURS.place, "circle-opacity": 0.8,
        "circle-stroke-color": "#ffffff", "circle-stroke-width": 1.5,
      },
    },
    {
      id: "hotspot", type: "circle", source: "data", filter: isKind("hotspot"),
      paint: {
        "circle-radius": ["interpolate", ["linear"], count, 1, 6, 5, 16, 15, 34],
        "circle-color": COLOURS.hotspot, "circle-opacity": 0.55,
        "circle-stroke-color": "#7c2d12", "circle-stroke-width": 1,
      },
    },
    {
      id: "emerging_hotspot", type: "circle", source: "data", filter: isKind("emerging_hotspot"),
      paint: {
        "circle-radius": ["interpolate", ["linear"], count, 1, 8, 5, 18, 15, 36],
        "circle-color": COLOURS.emerging_hotspot, "circle-opacity": 0.6,
        "circle-stroke-color": "#facc15", "circle-stroke-width": 3,
      },
    },
  ];
}

function baseStyle(land: FeatureCollection, data: FeatureCollection): StyleSpecification {
  return {
    version: 8,
    sources: {
      countries: { type: "geojson", data: land, attribution: "Natural Earth" },
      data: { type: "geojson", data },
    },
    layers: [
      { id: "sea", type: "background", paint: { "background-color": "#dbe7f0" } },
      { id: "land", type: "fill", source: "countries", paint: { "fill-color": "#f5f3ee" } },
      { id: "borders", type: "line", source: "countries", paint: { "line-color": "#b5ada0", "line-width": 0.6 } },
      ...dataLayers(),
    ],
  };
}

function popupContent(props: Record<string, unknown>): HTMLElement {
  const kind = props.kind as Kind;
  const rows: [string, string][] = [["Kind", KIND_LABELS[kind] ?? String(kind)]];
  if (props.count !== null && props.count !== undefined) rows.push(["Count", String(props.count)]);
  if (props.time) rows.push(["Time", readableTime(String(props.time))]);
  if (props.ref) rows.push(["Ref", String(props.ref)]);
  return h(
    "div",
    { class: "map-popup" },
    h("strong", {}, String(props.label ?? KIND_LABELS[kind] ?? "")),
    h("dl", {}, ...rows.flatMap(([k, v]) => [h("dt", {}, k), h("dd", {}, v)])),
  );
}

function legendOf(kinds: Kind[]): HTMLElement {
  return h(
    "ul",
    { class: "map-legend", "aria-label": "Map legend" },
    ...kinds.map((kind) => {
      const swatch = h("span", { class: `swatch swatch-${kind === "route" || kind === "track" ? "line" : "dot"}`, "aria-hidden": "true" });
      swatch.style.backgroundColor = COLOURS[kind];
      if (kind === "emerging_hotspot") swatch.style.borderColor = "#facc15";
      return h("li", {}, swatch, KIND_LABELS[kind]);
    }),
  );
}

function tableOf(fc: FeatureCollection): HTMLElement {
  const rows = fc.features.map((f) => {
    const p = f.properties ?? {};
    return h(
      "tr",
      {},
      h("td", {}, KIND_LABELS[p.kind as Kind]),
      h("td", {}, String(p.label ?? "")),
      h("td", { class: "num" }, p.count === null || p.count === undefined ? "" : String(p.count)),
      h("td", {}, readableTime(p.time as string | null)),
    );
  });
  return h(
    "details",
    { class: "map-list" },
    h("summary", {}, `Places on this map (${fc.features.length})`),
    h(
      "table",
      {},
      h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Kind"), h("th", { scope: "col" }, "Label"),
        h("th", { scope: "col" }, "Count"), h("th", { scope: "col" }, "Time"))),
      h("tbody", {}, ...rows),
    ),
  );
}

export async function mount(el: HTMLElement): Promise<() => void> {
  const [land, raw] = await Promise.all([countries(), fetchJson(sourceOf(el))]);
  const data = parseFeatures(raw);
  const kinds = kindsPresent(data);
  const box = bounds(data);
  const title = el.dataset.title ?? "Map";
  const canvasBox = h("div", { class: "map-canvas" });
  const status = h("p", { class: "map-status", role: "status" });
  el.replaceChildren(canvasBox, legendOf(kinds), status, tableOf(data));
  el.classList.add("map");

  const map = new maplibregl.Map({
    container: canvasBox,
    style: baseStyle(land, data),
    center: [20, 30],
    zoom: 1,
    maxZoom: 12,
    dragRotate: false,
    pitchWithRotate: false,
    attributionControl: { compact: false },
    fadeDuration: 0,
  });
  map.getCanvas().setAttribute("aria-label", `${title}: ${data.features.length} places`);
  map.addControl(new maplibregl.NavigationControl({ showCompass: false }), "top-right");
  map.touchZoomRotate.disableRotation();

  if (box) {
    const [w, s, e, n] = box;
    if (w === e && s === n) map.jumpTo({ center: [w, s], zoom: 6 });
    else map.fitBounds(box, { padding: 40, maxZoom: 8, animate: false });
  }
  status.textContent =
    data.features.length === 0
      ? "Nothing to show on the map."
      : `${data.features.length} places: ${kinds.map((k) => KIND_LABELS[k].toLowerCase()).join(", ")}.`;

  const popup = new maplibregl.Popup({ closeButton: true, maxWidth: "280px" });
  map.on("click", (ev) => {
    // The topmost feature under the pointer (points are drawn above lines).
    const hit = map.queryRenderedFeatures(ev.point, { layers: kinds })[0];
    if (!hit) return;
    popup.setLngLat(ev.lngLat).setDOMContent(popupContent(hit.properties ?? {})).addTo(map);
  });
  for (const kind of kinds) {
    map.on("mouseenter", kind, () => (map.getCanvas().style.cursor = "pointer"));
    map.on("mouseleave", kind, () => (map.getCanvas().style.cursor = ""));
  }
  await new Promise<void>((resolve) => {
    if (map.loaded()) resolve();
    else map.once("idle", () => resolve());
  });
  el.dataset.features = String(data.features.length);
  // A handle for the browser tests and for debugging from the console.
  (el as HTMLElement & { mareMap?: unknown }).mareMap = map;
  return () => map.remove();
}
