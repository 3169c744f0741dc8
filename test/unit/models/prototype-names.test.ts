/**
 * Attribute names and object keys that are Object.prototype names ('__proto__', 'hasOwnProperty', ...) are
 * ordinary names: a client patch using them neither crashes the normalizer lookup of typed models (it threw a
 * TypeError, found by the protocol fuzzer) nor swaps or pollutes a prototype when the value is decoded or written.
 */
import { describe, expect, it } from "vitest";
import { Document } from "../../../shared/document/index.ts";
import { DatePicker, Slider } from "../../../shared/models/index.ts";

const NAMES = ["__proto__", "hasOwnProperty", "constructor", "toString", "valueOf", "isPrototypeOf"];

function docWith(): { doc: Document; slider: InstanceType<typeof Slider>; picker: InstanceType<typeof DatePicker> } {
  const doc = new Document();
  const slider = new Slider({ start: 0, end: 10, value: 1, step: 1 });
  const picker = new DatePicker({ value: new Date(Date.UTC(2024, 0, 2)) }); // a model with normalizers
  doc.add_root(slider);
  doc.add_root(picker);
  return { doc, slider, picker };
}

describe("Object.prototype names in client patches", () => {
  for (const attr of NAMES) {
    it(`a ModelChanged of attr '${attr}' is stored as an ordinary attribute and serializes as an own key`, async () => {
      const { doc, slider, picker } = docWith();
      for (const model of [slider, picker]) {
        await doc.apply_json_patch({ events: [{ kind: "ModelChanged", model: { id: model.id }, attr, new: 7 }] });
        expect(model.get(attr)).toBe(7);
      }
      const json = doc.to_json() as unknown as { roots: Array<{ attributes: Record<string, unknown> }> };
      for (const root of json.roots) {
        expect(Object.hasOwn(root.attributes, attr)).toBe(true);
        expect(Object.getPrototypeOf(root.attributes)).toBe(Object.prototype);
      }
      expect(JSON.parse(JSON.stringify(json)).roots[0].attributes[attr]).toBe(7);
    });
  }

  it("the normalizers still apply to their own attributes", async () => {
    const { doc, picker } = docWith();
    await doc.apply_json_patch({ events: [{ kind: "ModelChanged", model: { id: picker.id }, attr: "value", new: "2025-03-04" }] });
    expect(picker.get("value")).toBe("2025-03-04");
    picker.value = new Date(Date.UTC(2025, 4, 6));
    expect(picker.get("value")).toBe("2025-05-06");
  });

  it("a decoded value with a '__proto__' key keeps it as an own key: no prototype swap, no pollution", async () => {
    const { doc, slider } = docWith();
    const content = JSON.parse('{"events":[{"kind":"ModelChanged","model":{"id":"ID"},"attr":"tags","new":[{"__proto__":{"polluted":true,"x":1}}]}]}'.replace("ID", slider.id));
    await doc.apply_json_patch(content);
    const [value] = slider.get<Array<Record<string, unknown>>>("tags");
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(Object.hasOwn(value, "__proto__")).toBe(true);
    expect(value.polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const written = JSON.stringify(doc.to_json());
    expect(written).toContain('"__proto__":{"polluted":true,"x":1}');
  });
});
