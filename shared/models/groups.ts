import { defineModel } from "./bokeh-model.ts";
import { WIDGET_DEFAULTS, type LayoutProps } from "./common-props.ts";

interface GroupProps extends LayoutProps {
  labels: string[];
  inline: boolean;
}

/** CheckboxGroup attributes: `active` lists the indices of the checked boxes. */
export interface CheckboxGroupProps extends GroupProps {
  active: number[];
}

/** Bokeh's CheckboxGroup. */
export const CheckboxGroup = defineModel<CheckboxGroupProps>("CheckboxGroup", { ...WIDGET_DEFAULTS, labels: [], inline: false, active: [] });
export type CheckboxGroup = InstanceType<typeof CheckboxGroup>;

/** RadioGroup attributes: `active` is the index of the chosen label, or null. */
export interface RadioGroupProps extends GroupProps {
  active: number | null;
}

/** Bokeh's RadioGroup. */
export const RadioGroup = defineModel<RadioGroupProps>("RadioGroup", { ...WIDGET_DEFAULTS, labels: [], inline: false, active: null });
export type RadioGroup = InstanceType<typeof RadioGroup>;
