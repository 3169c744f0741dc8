type ModelClass = new (...args: any[]) => object;

/** A model class that can also be called without `new`, as in Python: `Button({label: "Go"})`. */
export type Callable<C extends ModelClass> = C & ((...args: ConstructorParameters<C>) => InstanceType<C>);

/**
 * Wraps a class so calling it constructs it. `new`, `instanceof` and `extends` behave as for the class itself
 * (the proxy forwards everything but the call).
 */
export function callable<C extends ModelClass>(cls: C): Callable<C> {
  return new Proxy(cls, {
    apply: (target, _this, args: unknown[]) => new target(...args),
  }) as Callable<C>;
}
