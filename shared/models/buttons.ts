import type { Model } from "../document/index.ts";
import { defineModel, finishModel } from "./bokeh-model.ts";
import { WIDGET_DEFAULTS, type LayoutProps } from "./common-props.ts";
import type { UIEvent } from "./ui-events.ts";

export type ButtonType = "default" | "primary" | "success" | "warning" | "danger" | "light";

/** Attributes of every button (Python's AbstractButton). */
export interface AbstractButtonProps extends LayoutProps {
  label: string | Model;
  icon: Model | null;
  button_type: ButtonType;
}

const BUTTON_DEFAULTS = { ...WIDGET_DEFAULTS, label: "Button", icon: null, button_type: "default" } as const;

/** Bokeh's Button; `on_click` runs a server callback on each click. */
class ButtonModel extends defineModel<AbstractButtonProps>("Button", BUTTON_DEFAULTS) {
  /** Runs `cb` on each click (the `button_click` event); returns the unsubscribe function. */
  on_click(cb: (event: UIEvent<"button_click">) => unknown): () => void {
    return this.on_event("button_click", cb);
  }
}
export const Button = finishModel(ButtonModel);
export type Button = ButtonModel;

/** Toggle attributes: a button that stays pressed (`active`). */
export interface ToggleProps extends AbstractButtonProps {
  active: boolean;
}

/** Bokeh's Toggle; `on_click(cb)` calls `cb(active)` when it changes, as Python does. */
class ToggleModel extends defineModel<ToggleProps>("Toggle", { ...BUTTON_DEFAULTS, label: "Toggle", active: false }) {
  on_click(cb: (active: boolean) => unknown): () => void {
    return this.on_change("active", (_attr, _old, active) => cb(active));
  }
}
export const Toggle = finishModel(ToggleModel);
export type Toggle = ToggleModel;

/** A Dropdown menu entry: an item name, `[label, item]`, or null for a separator. */
export type MenuItem = string | readonly [string, string | Model] | null;

/** Dropdown attributes. */
export interface DropdownProps extends AbstractButtonProps {
  split: boolean;
  menu: MenuItem[];
}

/** Bokeh's Dropdown; `on_click(cb)` receives `menu_item_click` events (`event.item`) and, when split, button clicks. */
class DropdownModel extends defineModel<DropdownProps>("Dropdown", { ...BUTTON_DEFAULTS, label: "Dropdown", split: false, menu: [] }) {
  on_click(cb: (event: UIEvent<"menu_item_click"> | UIEvent<"button_click">) => unknown): () => void {
    const offMenu = this.on_event("menu_item_click", cb);
    const offButton = this.on_event("button_click", cb);
    return () => {
      offMenu();
      offButton();
    };
  }
}
export const Dropdown = finishModel(DropdownModel);
export type Dropdown = DropdownModel;
