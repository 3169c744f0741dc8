import { describe, expect, it } from "vitest";
import { renderTemplate } from "../../../worker/src/page-template.ts";

const input = {
  title: "Sales <2026>", token: "tok", staticPrefix: "/viz/static",
  roots: [{ id: "p1", name: "chart" }, { id: "p2", name: null }],
  variables: { header: "<b>Q3</b>", nested: { n: 3 }, html: "<i>ok</i>" },
};

describe("page templates", () => {
  it("escapes variables unless marked safe, reads dotted names, and drops unknown ones", () => {
    const out = renderTemplate("{{ header }}|{{ html | safe }}|{{ nested.n }}|{{ nope }}|{{ title }}", input);
    expect(out).toBe("&lt;b&gt;Q3&lt;/b&gt;|<i>ok</i>|3||Sales &lt;2026&gt;");
  });

  it("places named roots with embed(), the rest in plot_div, and renders them all with plot_script", () => {
    const out = renderTemplate("<a>{{ embed(roots.chart) }}</a><b>{{ plot_div }}</b>{{ plot_script }}{{ bokeh_js }}", input);
    const a = /<a><div id="([\w-]+)" data-root-id="p1"[^>]*><\/div><\/a>/.exec(out);
    const b = /<b><div id="([\w-]+)" data-root-id="p2"[^>]*><\/div><\/b>/.exec(out);
    expect(a && b).toBeTruthy();
    expect(out).toContain(`"roots":{"p1":"${a![1]}","p2":"${b![1]}"}`);
    expect(out).toContain('"token":"tok"');
    expect(out).toContain('<script src="/viz/static/js/bokeh.min.js?v=');
  });
});
