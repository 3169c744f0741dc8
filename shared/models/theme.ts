import { DocumentError, type Document, type Model } from "../document/index.ts";
import { modelAncestry } from "./model-hierarchy.ts";

/**
 * A Bokeh theme, as in a directory app's `theme.json`: default attribute values per model type, e.g.
 * `{"attrs": {"Figure": {"background_fill_color": "#2F2F2F"}, "Axis": {"axis_label_text_color": "white"}}}`.
 * A type's settings also reach its subclasses ("Axis" → LinearAxis, "Widget" → Slider), the most derived winning.
 */
export interface Theme {
  attrs?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
}

function checkTheme(theme: unknown): Theme {
  if (theme === null || typeof theme !== "object" || Array.isArray(theme)) {
    throw new DocumentError("bad_argument", 'a theme is an object like {"attrs": {"Figure": {"background_fill_color": "black"}}}');
  }
  const attrs = (theme as Theme).attrs ?? {};
  if (attrs === null || typeof attrs !== "object" || Array.isArray(attrs)) {
    throw new DocumentError("bad_argument", "a theme's 'attrs' must map model type names to attribute objects");
  }
  for (const [type, values] of Object.entries(attrs)) {
    if (values === null || typeof values !== "object" || Array.isArray(values)) {
      throw new DocumentError("bad_argument", `theme attrs for '${type}' must be an object of attribute values`);
    }
  }
  return theme as Theme;
}

/** The themed values for one model type: base classes first, so more derived types override them. */
function valuesFor(theme: Theme, type: string, cache: Map<string, Record<string, unknown>>): Record<string, unknown> {
  let values = cache.get(type);
  if (values === undefined) {
    values = {};
    for (const base of modelAncestry(type).reverse()) Object.assign(values, theme.attrs?.[base] ?? {});
    cache.set(type, values);
  }
  return values;
}

/**
 * Applies `theme` to `doc`: every attribute a model has not set gets the theme's value for its type. Models already
 * in the document are themed now (with change events, so connected sessions see it); models attached later are
 * themed as they are attached, before any session serializes them (`Document.on_attach`), as Python themes models
 * when they join a document. Values a model set itself always win. Returns a function that stops theming new
 * models. Apply one theme per document.
 */
export function applyTheme(doc: Document, theme: Theme): () => void {
  const checked = checkTheme(theme);
  const cache = new Map<string, Record<string, unknown>>();
  const themeModel = (model: Model, silent: boolean): void => {
    for (const [attr, value] of Object.entries(valuesFor(checked, model.type, cache))) {
      if (model.has(attr)) continue;
      const copy = structuredClone(value);
      if (silent) model._init_attribute(attr, copy);
      else model.set(attr, copy);
    }
  };
  for (const model of [...doc.models.values()]) themeModel(model, false);
  return doc.on_attach((models) => {
    for (const model of models) themeModel(model, true);
  });
}
