import { defineModel } from "./bokeh-model.ts";
import { WIDGET_DEFAULTS, type LayoutProps } from "./common-props.ts";

/** Attributes of text widgets. */
export interface MarkupProps extends LayoutProps {
  text: string;
  disable_math: boolean;
}

const MARKUP_DEFAULTS = { ...WIDGET_DEFAULTS, text: "", disable_math: false } as const;

/** Div attributes: `text` is HTML unless `render_as_text`. */
export interface DivProps extends MarkupProps {
  render_as_text: boolean;
}

/** Bokeh's Div (HTML). */
export const Div = defineModel<DivProps>("Div", { ...MARKUP_DEFAULTS, render_as_text: false });
export type Div = InstanceType<typeof Div>;

/** Bokeh's Paragraph (plain text in a `<p>`). */
export const Paragraph = defineModel<MarkupProps>("Paragraph", MARKUP_DEFAULTS);
export type Paragraph = InstanceType<typeof Paragraph>;

/** Bokeh's PreText (preformatted text in a `<pre>`). */
export const PreText = defineModel<MarkupProps>("PreText", MARKUP_DEFAULTS);
export type PreText = InstanceType<typeof PreText>;
