/**
 * The demo app deployed by `npm start`: a sine wave whose frequency follows a slider (a server-side callback
 * recomputes the data), a button that appends a point, and a live plot streamed one point a second.
 */
import { figure, ColumnDataSource, Slider, Button, Div, column, row, type Document } from "plothost";

const N = 50;
const STEP = (4 * Math.PI) / (N - 1);

export default function demo(doc: Document): void {
  const x = Float64Array.from({ length: N }, (_, i) => i * STEP);
  const source = new ColumnDataSource({ name: "points", data: { x, y: x.map((v) => Math.sin(v)) } });

  const plot = figure({ title: "sin(f · x)", width: 640, height: 320 });
  plot.line({ x: "x", y: "y", source, line_width: 2 });
  plot.scatter({ x: "x", y: "y", source, size: 7, color: "#e6550d" });

  const slider = new Slider({ name: "frequency", start: 0.1, end: 5, value: 1, step: 0.1, title: "frequency" });
  const button = new Button({ name: "add", label: "Add a point", button_type: "primary" });
  const status = new Div({ name: "status", text: `${N} points` });

  const recompute = () => {
    const xs = source.data.x as Float64Array;
    source.data = { x: xs, y: xs.map((v) => Math.sin(slider.value * v)) };
  };
  slider.on_change("value", recompute);
  button.on_click(() => {
    const xs = source.data.x as ArrayLike<number>;
    const next = xs.length > 0 ? xs[xs.length - 1] + STEP : 0;
    source.stream({ x: [next], y: [Math.sin(slider.value * next)] });
    status.text = `${xs.length + 1} points`;
  });

  const live = new ColumnDataSource({ name: "live", data: { t: [], v: [] } });
  const livePlot = figure({ title: "live: one point a second", width: 640, height: 220 });
  livePlot.line({ x: "t", y: "v", source: live, line_color: "#31a354" });
  let t = 0;
  doc.add_periodic_callback(() => {
    t += 1;
    live.stream({ t: [t], v: [Math.sin(t / 4) + 0.2 * Math.sin(t * 1.7)] }, 120);
  }, 1000);

  doc.title = "plothost demo";
  doc.add_root(column(row(slider, button, status), plot, livePlot));
}
