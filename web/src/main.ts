// The one entry of the widget bundle: htmx for in-place page updates, and the widgets,
// mounted on page load and after every htmx swap. Works under a strict CSP (no eval, no inline styles).
import htmx from "htmx.org";
import "./styles.css";
import { mountAll, unmountWithin } from "./mount";

// htmx would otherwise insert an inline <style> (blocked by style-src 'self') and may evaluate code.
htmx.config.includeIndicatorStyles = false;
htmx.config.allowEval = false;
htmx.config.allowScriptTags = false;

declare global {
  interface Window {
    htmx: typeof htmx;
    mareWidgets: { mountAll: typeof mountAll };
  }
}
window.htmx = htmx;
window.mareWidgets = { mountAll };

document.addEventListener("htmx:afterSwap", () => void mountAll(document));
document.addEventListener("htmx:beforeCleanupElement", (ev) => {
  if (ev.target instanceof Element) unmountWithin(ev.target);
});

if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", () => void mountAll(document));
} else {
  void mountAll(document);
}
