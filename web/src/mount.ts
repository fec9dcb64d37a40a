// Finds `<div class="widget" data-widget=… data-src=…>` elements and mounts each once.
import { showError, WidgetError } from "./common";

/** What a widget module gives back: a function that frees its resources (WebGL contexts). */
export type Cleanup = () => void;
type Mounter = { mount: (el: HTMLElement) => Promise<Cleanup | void> };

const LOADERS: Record<string, () => Promise<Mounter>> = {
  network: () => import("./widgets/network"),
  map: () => import("./widgets/map"),
  timeline: () => import("./widgets/timeline"),
  chart: () => import("./widgets/chart"),
};

const cleanups = new WeakMap<Element, Cleanup>();

/**
 * A page may mark the widget's box role="img" with a label: fine for a still picture, but it hides
 * the widget's controls from assistive technology. Keep the label as the widget's title, as a group.
 */
function asGroup(el: HTMLElement): void {
  const label = el.getAttribute("aria-label");
  if (label && !el.dataset.title) el.dataset.title = label;
  if (el.getAttribute("role") === "img") el.setAttribute("role", "group");
}

async function mountOne(el: HTMLElement): Promise<void> {
  const kind = el.dataset.widget ?? "";
  asGroup(el);
  el.dataset.state = "loading";
  el.setAttribute("aria-busy", "true");
  try {
    const loader = LOADERS[kind];
    if (!loader) throw new WidgetError(`Unknown widget "${kind}": expected network, map, timeline or chart.`);
    const module = await loader();
    const cleanup = await module.mount(el);
    if (cleanup) cleanups.set(el, cleanup);
    el.dataset.state = "ready";
  } catch (err) {
    const message = err instanceof WidgetError || err instanceof Error ? err.message : String(err);
    if (!(err instanceof WidgetError)) console.warn(`mare widget ${kind}:`, err);
    showError(el, message);
    el.dataset.state = "error";
  } finally {
    el.removeAttribute("aria-busy");
  }
}

/** Mount every widget under `root` not mounted yet; resolves when all have loaded or failed. */
export function mountAll(root: ParentNode = document): Promise<void[]> {
  const found = root.querySelectorAll<HTMLElement>(".widget[data-widget]:not([data-mounted])");
  return Promise.all(
    [...found].map((el) => {
      el.dataset.mounted = "1";
      return mountOne(el);
    }),
  );
}

/** Free the widgets under `root` (before htmx removes it). */
export function unmountWithin(root: Element): void {
  const els = root.matches(".widget") ? [root] : [];
  els.push(...root.querySelectorAll(".widget[data-mounted]"));
  for (const el of els) {
    const cleanup = cleanups.get(el);
    if (cleanup) {
      cleanups.delete(el);
      cleanup();
    }
  }
}
