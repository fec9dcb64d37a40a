// DOM and fetch helpers shared by the widgets. Text always goes in as text nodes (never as HTML), with
// control and bidi characters made visible (lib/text.ts), so a value cannot reorder the text around it.
import { visible } from "./lib/text";

/** An error whose message is meant for the reader of the page. */
export class WidgetError extends Error {}

type Attrs = Record<string, string | number | boolean | null | undefined | ((ev: Event) => void)>;
type Child = Node | string | number | null | undefined | false;

/** Create an element with attributes (`on…` keys add listeners) and text or element children. */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (typeof value === "function") el.addEventListener(key.slice(2), value);
    else if (value === true) el.setAttribute(key, "");
    else el.setAttribute(key, visible(String(value)));
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    el.append(typeof child === "object" ? child : visible(String(child)));
  }
  return el;
}

const SVG_NS = "http://www.w3.org/2000/svg";

/** Create an SVG element with attributes and children. */
export function s(tag: string, attrs: Record<string, string | number> = {}, ...children: (Node | string)[]): SVGElement {
  const el = document.createElementNS(SVG_NS, tag) as SVGElement;
  for (const [key, value] of Object.entries(attrs)) el.setAttribute(key, visible(String(value)));
  for (const child of children) el.append(typeof child === "string" ? visible(child) : child);
  return el;
}

let counter = 0;
/** A page-unique id for label and aria references. */
export function uid(prefix: string): string {
  counter += 1;
  return `${prefix}-${counter}`;
}

function errorText(body: unknown): string | null {
  if (typeof body !== "object" || body === null) return null;
  const err = (body as Record<string, unknown>).error ?? (body as Record<string, unknown>).detail;
  if (typeof err === "string") return err;
  if (typeof err === "object" && err !== null && typeof (err as Record<string, unknown>).message === "string") {
    return (err as Record<string, string>).message;
  }
  return null;
}

/** GET JSON from the same origin; a failure becomes a WidgetError with the server's own message. */
export async function fetchJson(url: string): Promise<unknown> {
  let response: Response;
  try {
    response = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
  } catch {
    throw new WidgetError(`Could not reach the server for ${url}.`);
  }
  if (!response.ok) {
    let message: string | null = null;
    try {
      message = errorText(await response.json());
    } catch {
      message = null;
    }
    if (message === null) {
      if (response.status === 401) message = "Your session has ended: sign in again to see this.";
      else if (response.status === 403) message = "You are not allowed to see this.";
      else message = `The server answered ${response.status} for ${url}.`;
    }
    throw new WidgetError(message);
  }
  try {
    return await response.json();
  } catch {
    throw new WidgetError(`The server sent something other than JSON for ${url}.`);
  }
}

/** The widget's data-src, or a clear error when the page forgot it. */
export function sourceOf(el: HTMLElement): string {
  const src = el.dataset.src;
  if (!src) throw new WidgetError(`This ${el.dataset.widget ?? "widget"} has no data-src to load its data from.`);
  return src;
}

/** Replace the widget's content with a readable error. */
export function showError(el: HTMLElement, message: string): void {
  el.replaceChildren(h("p", { class: "widget-error", role: "alert" }, message));
}

/** Format an ISO date or time for reading: "2024-03-05" or "2024-03-05 14:20". */
export function readableTime(iso: string | null | undefined): string {
  if (!iso) return "";
  const m = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}))?/.exec(iso);
  if (!m) return iso;
  return m[2] && m[2] !== "00:00" ? `${m[1]} ${m[2]}` : m[1];
}

/** Offer a blob as a file download. */
export function download(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const link = h("a", { href: url, download: filename, class: "visually-hidden" }, filename);
  document.body.append(link);
  link.click();
  link.remove();
  window.setTimeout(() => URL.revokeObjectURL(url), 30_000);
}
