import { Model } from "./model.ts";

/** Builds an empty instance (no default attributes) of a model type with a given id, for the deserializer. */
export type ModelFactory = (id: string) => Model;

const factories = new Map<string, ModelFactory>();

/**
 * Registers the class to build for a Bokeh model name when parsing documents and patches, so e.g. a parsed
 * "ColumnDataSource" has `stream()`. `shared/models` registers its classes when imported; every other name is
 * built as a generic {@link Model}. Registering a name twice replaces the factory.
 */
export function registerModelType(name: string, factory: ModelFactory): void {
  factories.set(name, factory);
}

/** An empty model of type `name` with id `id`: the registered class, or a generic Model. */
export function createModel(name: string, id: string): Model {
  const factory = factories.get(name);
  return factory !== undefined ? factory(id) : new Model(name, undefined, { id });
}
