import { describe, expect, it } from "vitest";
import { Model, Serializer } from "../../../shared/document/index.ts";
import {
  Category10, Category20, Greys, Spectral, Viridis, Viridis256, factor_cmap, factor_mark, linear_cmap, linear_palette, log_cmap, palette,
} from "../../../shared/models/index.ts";

const json = (m: unknown) => new Serializer().encode(m);

describe("palettes", () => {
  it("knows Python's standard palettes by name, with Python's colour values", () => {
    expect(palette("Category10_3")).toEqual(["#1f77b4", "#ff7f0e", "#2ca02c"]);
    expect(Category10[10]).toHaveLength(10);
    expect(Category20[20][19]).toBe("#9edae5");
    expect(palette("Viridis3")).toEqual(["#440154", "#208F8C", "#FDE724"]);
    expect(Viridis[256]).toBe(Viridis256);
    expect([Viridis256.length, Viridis256[0], Viridis256[255]]).toEqual([256, "#440154", "#FDE724"]);
    expect(palette("Greys9")).toEqual(["#000000", "#252525", "#525252", "#737373", "#969696", "#bdbdbd", "#d9d9d9", "#f0f0f0", "#ffffff"]);
    expect(Greys[256][128]).toBe("#808080");
    expect(Spectral[11][0]).toBe("#5e4fa2");
    expect(palette(["red", "blue"])).toEqual(["red", "blue"]);
    expect(() => palette("Nope7" as never)).toThrow(/unknown palette 'Nope7'/);
  });

  it("linear_palette picks evenly spaced colours", () => {
    expect(linear_palette(Viridis256, 3)).toEqual(["#440154", Viridis256[127], "#FDE724"]);
    expect(linear_palette(["a", "b"], 1)).toEqual(["a"]);
    expect(() => linear_palette(["a"], 2)).toThrow(/0 to 1 colours/);
  });
});

describe("colour and marker mappers", () => {
  it("factor_cmap: a field spec with a CategoricalColorMapper (defaults left out, as Python does)", () => {
    const spec = factor_cmap("fruit", "Category10_3", ["a", "b", "c"]);
    expect(json(spec)).toEqual({
      type: "field",
      field: "fruit",
      transform: { type: "object", name: "CategoricalColorMapper", id: expect.any(String), attributes: { palette: ["#1f77b4", "#ff7f0e", "#2ca02c"], factors: ["a", "b", "c"] } },
    });
    expect((factor_cmap("f", ["red"], ["x"], { start: 1, end: 2, nan_color: "black" }).transform as Model).attributes).toEqual(
      new Map<string, unknown>([["palette", ["red"]], ["nan_color", "black"], ["factors", ["x"]], ["start", 1], ["end", 2]]),
    );
  });

  it("linear_cmap / log_cmap: field specs with Linear/LogColorMapper(palette, low, high)", () => {
    const lin = linear_cmap("v", "Viridis3", 0, 10, { high_color: "red" });
    expect(json(lin)).toMatchObject({ field: "v", transform: { name: "LinearColorMapper", attributes: { palette: ["#440154", "#208F8C", "#FDE724"], low: 0, high: 10, high_color: "red" } } });
    const log = log_cmap("v", ["a", "b"], 1, 1000);
    expect(json(log)).toMatchObject({ transform: { name: "LogColorMapper", attributes: { palette: ["a", "b"], low: 1, high: 1000 } } });
    expect(Object.keys((json(log) as { transform: { attributes: object } }).transform.attributes)).toEqual(["palette", "low", "high"]);
  });

  it("factor_mark: a field spec with a CategoricalMarkerMapper", () => {
    expect(json(factor_mark("kind", ["circle", "square"], ["a", "b"]))).toMatchObject({
      type: "field",
      field: "kind",
      transform: { name: "CategoricalMarkerMapper", attributes: { factors: ["a", "b"], markers: ["circle", "square"] } },
    });
  });
});
