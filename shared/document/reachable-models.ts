import { DocumentError } from "./errors.ts";
import { Model, collectModels, type ModelHost } from "./model.ts";

/**
 * The models reachable from `roots`, by id, checked for attaching to `host`: throws `duplicate_id` when two
 * different instances share an id and `foreign_model` when one is attached to another document. Pure: the caller
 * commits the result.
 */
export function reachableModels(roots: readonly Model[], host: ModelHost): Map<string, Model> {
  const found = new Set<Model>();
  for (const root of roots) collectModels(root, found);
  const byId = new Map<string, Model>();
  for (const model of found) {
    const other = byId.get(model.id);
    if (other !== undefined && other !== model) {
      throw new DocumentError("duplicate_id", `two different models have id '${model.id}' (${other.type} and ${model.type}); ids must be unique`);
    }
    if (model._host !== null && model._host !== host) {
      throw new DocumentError("foreign_model", `${model} already belongs to another document; create a new model instead`);
    }
    byId.set(model.id, model);
  }
  return byId;
}
