// Timeline widget: items placed by time in one lane per kind. Each lane is one tab stop;
// arrow keys, Home and End move between its items; the tooltip shows on hover and focus.
import { fetchJson, h, readableTime, sourceOf, uid } from "../common";
import { PALETTE } from "../lib/graph";
import { linear, parseTime, timeTicks } from "../lib/scales";
import { parseTimeline, type TimelineItem } from "../lib/series";

function lane(kind: string, items: TimelineItem[], x: (t: number) => number, refUrl: string, colour: string): HTMLElement {
  const nameId = uid("tl-lane");
  const track = h("ul", { class: "tl-track", "aria-labelledby": nameId });
  track.style.setProperty("--lane", colour);
  const focusables: HTMLElement[] = [];
  items.forEach((item, i) => {
    const tipId = uid("tl-tip");
    const text = `${readableTime(item.time)}: ${item.label || kind}`;
    const attrs = { class: "tl-dot", "aria-label": text, "aria-describedby": tipId, tabindex: i === 0 ? 0 : -1 };
    const dot = item.ref && refUrl
      ? h("a", { ...attrs, href: refUrl.split("{ref}").join(encodeURIComponent(item.ref)) })
      : h("button", { ...attrs, type: "button" });
    const tip = h("span", { class: "tl-tip", role: "tooltip", id: tipId }, text, item.ref ? ` (${item.ref})` : "");
    const li = h("li", { class: "tl-item" }, dot, tip);
    li.style.left = `${x(item.t)}%`;
    focusables.push(dot);
    track.append(li);
  });
  track.addEventListener("keydown", (ev) => {
    const at = focusables.indexOf(document.activeElement as HTMLElement);
    if (at < 0) return;
    const next =
      ev.key === "ArrowRight" || ev.key === "ArrowDown" ? Math.min(at + 1, focusables.length - 1)
      : ev.key === "ArrowLeft" || ev.key === "ArrowUp" ? Math.max(at - 1, 0)
      : ev.key === "Home" ? 0
      : ev.key === "End" ? focusables.length - 1
      : -1;
    if (next < 0) return;
    ev.preventDefault();
    focusables[at].tabIndex = -1;
    focusables[next].tabIndex = 0;
    focusables[next].focus();
  });
  return h("div", { class: "tl-lane" }, h("span", { class: "tl-name", id: nameId }, `${kind} (${items.length})`), track);
}

// Darker palette entries only: the dots must stand out against white (3:1 for graphics).
const LANE_COLOURS = [PALETTE[0], "#c2410c", "#0f766e", "#7c3aed", PALETTE[8], "#be185d", PALETTE[9]];

export async function mount(el: HTMLElement): Promise<void> {
  const items = parseTimeline(await fetchJson(sourceOf(el)), parseTime);
  el.classList.add("tl");
  if (items.length === 0) {
    el.replaceChildren(h("p", { class: "widget-empty" }, "Nothing to show on the timeline."));
    return;
  }
  const t0 = items[0].t;
  const t1 = items[items.length - 1].t;
  const pad = Math.max((t1 - t0) * 0.02, 86_400_000);
  const x = linear([t0 - pad, t1 + pad], [0, 100]);
  const kinds = new Map<string, TimelineItem[]>();
  for (const item of items) kinds.set(item.kind, [...(kinds.get(item.kind) ?? []), item]);
  const axis = h("div", { class: "tl-axis", "aria-hidden": "true" });
  for (const tick of timeTicks(t0 - pad, t1 + pad, 6)) {
    const mark = h("span", { class: "tl-tick" }, tick.label);
    mark.style.left = `${x(tick.t)}%`;
    axis.append(mark);
  }
  const refUrl = el.dataset.refUrl ?? "";
  const title = el.dataset.title ?? "Timeline";
  el.replaceChildren(
    h(
      "div",
      { class: "tl-frame", role: "group", "aria-label": `${title}: ${items.length} items from ${readableTime(items[0].time)} to ${readableTime(items[items.length - 1].time)}` },
      ...[...kinds.keys()].sort().map((kind, i) => lane(kind, kinds.get(kind) ?? [], x, refUrl, LANE_COLOURS[i % LANE_COLOURS.length])),
      axis,
    ),
  );
  el.dataset.items = String(items.length);
}
