/**
 * The entries of an object whose values are defined: optional settings passed on without
 * writing `undefined` into them (the project compiles with exactOptionalPropertyTypes).
 */
export function defined<T extends object>(o: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(o).filter(([, x]) => x !== undefined)) as { [K in keyof T]?: Exclude<T[K], undefined> };
}
