// Pure scale helpers for the SVG chart and the timeline: nice ticks, linear maps, time ticks.

/** "Nice" ticks (steps of 1, 2 or 5 times a power of ten) covering [min, max]. */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return [0];
  if (min === max) {
    if (min === 0) return [0, 1];
    [min, max] = min > 0 ? [0, min] : [min, 0];
  }
  if (min > max) [min, max] = [max, min];
  const raw = (max - min) / Math.max(1, count);
  const power = Math.pow(10, Math.floor(Math.log10(raw)));
  const fraction = raw / power;
  const step = (fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10) * power;
  const start = Math.floor(min / step) * step;
  const end = Math.ceil(max / step) * step;
  const ticks: number[] = [];
  for (let v = start; v <= end + step / 2; v += step) ticks.push(Number(v.toPrecision(12)));
  return ticks;
}

/** A linear map from a domain to a range; a flat domain maps to the range's middle. */
export function linear(domain: [number, number], range: [number, number]): (v: number) => number {
  const [d0, d1] = domain;
  const [r0, r1] = range;
  if (d0 === d1) return () => (r0 + r1) / 2;
  return (v) => r0 + ((v - d0) / (d1 - d0)) * (r1 - r0);
}

/** Equal bands for `n` categories across [r0, r1] with inner padding as a share of each band. */
export function bands(n: number, range: [number, number], padding = 0.2): { start: (i: number) => number; width: number } {
  const [r0, r1] = range;
  const step = n > 0 ? (r1 - r0) / n : 0;
  const width = step * (1 - padding);
  return { start: (i) => r0 + i * step + (step - width) / 2, width };
}

/** Short number labels: 1200 -> "1.2k", 0.5 -> "0.5". */
export function shortNumber(v: number): string {
  const abs = Math.abs(v);
  if (abs >= 1e6) return `${Number((v / 1e6).toPrecision(3))}M`;
  if (abs >= 1e4) return `${Number((v / 1e3).toPrecision(3))}k`;
  return String(Number(v.toPrecision(6)));
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** Milliseconds of an ISO date or timestamp (dates alone read as UTC midnight); NaN when unreadable. */
export function parseTime(iso: string): number {
  return Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(iso) ? `${iso}T00:00:00Z` : iso);
}

/** Tick marks for a time span: years, months or days, at most about `count` of them. */
export function timeTicks(t0: number, t1: number, count = 6): { t: number; label: string }[] {
  if (!(t1 > t0)) return [{ t: t0, label: new Date(t0).toISOString().slice(0, 10) }];
  const day = 86_400_000;
  const span = t1 - t0;
  const ticks: { t: number; label: string }[] = [];
  const d0 = new Date(t0);
  if (span > 2 * 365 * day) {
    const years = span / (365 * day);
    const step = Math.max(1, Math.ceil(years / count));
    for (let y = d0.getUTCFullYear(); ; y += step) {
      const t = Date.UTC(y, 0, 1);
      if (t > t1) break;
      if (t >= t0) ticks.push({ t, label: String(y) });
    }
  } else if (span > 60 * day) {
    const months = span / (30.44 * day);
    const step = Math.max(1, Math.ceil(months / count));
    for (let m = d0.getUTCFullYear() * 12 + d0.getUTCMonth(); ; m += step) {
      const t = Date.UTC(Math.floor(m / 12), m % 12, 1);
      if (t > t1) break;
      if (t >= t0) ticks.push({ t, label: `${MONTHS[m % 12]} ${Math.floor(m / 12)}` });
    }
  } else {
    const step = Math.max(1, Math.ceil(span / day / count));
    const first = Date.UTC(d0.getUTCFullYear(), d0.getUTCMonth(), d0.getUTCDate());
    for (let t = first; t <= t1; t += step * day) {
      if (t >= t0) {
        const d = new Date(t);
        ticks.push({ t, label: `${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]}` });
      }
    }
  }
  return ticks;
}
