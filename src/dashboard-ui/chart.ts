import type { Point } from '../primary/dashboard/history.js';

// A worker's last ten minutes on one small canvas: CPU, RSS and requests/s,
// each scaled to its own range (the numbers are in the row beside it).

const SERIES = [
  { index: 1, colour: '#e4572e', name: 'CPU' },
  { index: 2, colour: '#4c8bf5', name: 'RSS' },
  { index: 3, colour: '#29a36a', name: 'req/s' },
] as const;
const WINDOW_MS = 10 * 60_000;
// A young herd's few points spread over at least this much, not squeezed into a corner.
const MIN_WINDOW_MS = 10_000;

export function drawChart(canvas: HTMLCanvasElement, points: Point[], now: number): void {
  const ratio = window.devicePixelRatio || 1;
  const width = canvas.clientWidth || 160;
  const height = canvas.clientHeight || 32;
  if (canvas.width !== width * ratio) {
    canvas.width = width * ratio;
    canvas.height = height * ratio;
  }
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  ctx.clearRect(0, 0, width, height);
  const span = Math.min(WINDOW_MS, Math.max(MIN_WINDOW_MS, points.length > 0 ? now - points[0]![0] : 0));
  const x = (t: number): number => width - ((now - t) / span) * width;
  for (const { index, colour } of SERIES) {
    const values = points.map((p) => p[index]).filter((v): v is number => v !== null);
    if (values.length < 2) continue;
    const max = Math.max(...values);
    // CPU and req/s from zero; RSS around its own range, where its changes show.
    const min = index === 2 ? Math.min(...values) : 0;
    const span = max - min || 1;
    ctx.strokeStyle = colour;
    ctx.lineWidth = 1.25;
    ctx.beginPath();
    let started = false;
    for (const p of points) {
      const v = p[index];
      if (v === null || v === undefined) continue;
      const y = height - 2 - ((v - min) / span) * (height - 4);
      if (started) ctx.lineTo(x(p[0]), y);
      else ctx.moveTo(x(p[0]), y);
      started = true;
    }
    ctx.stroke();
  }
}

export const LEGEND = SERIES.map((s) => ({ colour: s.colour, name: s.name }));
