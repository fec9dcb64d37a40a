// MapLibre's CSP build (no blob worker: the worker is a separate file served from /static/dist/).
declare module "maplibre-gl/dist/maplibre-gl-csp.js" {
  const maplibregl: typeof import("maplibre-gl");
  export default maplibregl;
}
