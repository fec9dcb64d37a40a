// Pure GeoJSON helpers for the map widget: check the server's FeatureCollection, bounds, kinds.
import type { Feature, FeatureCollection, Geometry, Position } from "geojson";

export const KINDS = ["hotspot", "emerging_hotspot", "route", "event", "track", "place"] as const;
export type Kind = (typeof KINDS)[number];

export const KIND_LABELS: Record<Kind, string> = {
  hotspot: "Hotspot",
  emerging_hotspot: "Emerging hotspot",
  route: "Route",
  event: "Event",
  track: "Vessel track",
  place: "Place named",
};

/** Check a FeatureCollection whose features carry `properties.kind`; the message names the bad feature. */
export function parseFeatures(raw: unknown): FeatureCollection {
  if (typeof raw !== "object" || raw === null || (raw as { type?: unknown }).type !== "FeatureCollection") {
    throw new Error("map data: expected a GeoJSON FeatureCollection");
  }
  const features = (raw as { features?: unknown }).features;
  if (!Array.isArray(features)) throw new Error("map data: 'features' should be a list");
  features.forEach((f: unknown, i: number) => {
    const feature = f as Partial<Feature>;
    if (typeof f !== "object" || f === null || feature.type !== "Feature") {
      throw new Error(`map data: features[${i}] is not a GeoJSON Feature`);
    }
    if (!feature.geometry || typeof feature.geometry !== "object") {
      throw new Error(`map data: features[${i}] has no geometry`);
    }
    const kind = feature.properties?.kind;
    if (!KINDS.includes(kind)) {
      throw new Error(`map data: features[${i}].properties.kind is ${JSON.stringify(kind)}; expected one of ${KINDS.join(", ")}`);
    }
  });
  return raw as FeatureCollection;
}

function positions(geometry: Geometry): Position[] {
  switch (geometry.type) {
    case "Point":
      return [geometry.coordinates];
    case "MultiPoint":
    case "LineString":
      return geometry.coordinates;
    case "MultiLineString":
    case "Polygon":
      return geometry.coordinates.flat();
    case "MultiPolygon":
      return geometry.coordinates.flat(2);
    case "GeometryCollection":
      return geometry.geometries.flatMap(positions);
  }
}

/** [west, south, east, north] over all features, or null when there is nothing to place. */
export function bounds(fc: FeatureCollection): [number, number, number, number] | null {
  let w = Infinity;
  let s = Infinity;
  let e = -Infinity;
  let n = -Infinity;
  for (const f of fc.features) {
    if (!f.geometry) continue;
    for (const [x, y] of positions(f.geometry)) {
      if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
      w = Math.min(w, x);
      e = Math.max(e, x);
      s = Math.min(s, y);
      n = Math.max(n, y);
    }
  }
  return w === Infinity ? null : [w, s, e, n];
}

/** The kinds present, in legend order. */
export function kindsPresent(fc: FeatureCollection): Kind[] {
  const present = new Set(fc.features.map((f) => f.properties?.kind));
  return KINDS.filter((k) => present.has(k));
}
