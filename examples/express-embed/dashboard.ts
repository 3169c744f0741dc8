// The plothost app embedded by the example site: a greeting and a plot. The site customises each visitor's
// session (title and greeting) through the client before the browser connects.
import { figure, ColumnDataSource, Div, column, type Document } from "plothost";

export default function dashboard(doc: Document): void {
  const greeting = new Div({ name: "greeting", text: "Hello" });
  const source = new ColumnDataSource({ data: { x: [1, 2, 3, 4, 5], y: [3, 1, 4, 1, 5] } });
  const p = figure({ title: "Weekly signups", width: 520, height: 260 });
  p.line({ x: "x", y: "y", source, line_width: 2 });
  doc.title = "Dashboard";
  doc.add_root(column(greeting, p));
}
