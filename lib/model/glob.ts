/**
 * The one glob dialect of the product: chat routing (`targets`), silence selectors and discovery
 * filters (`auto:cn-*`, `!cn-south-1*`) all mean the same by `*` and `?`. Pure.
 */

/** `*` any run of characters, `?` exactly one; everything else literal; anchored. */
export function globToRegExp(glob: string): RegExp {
  const body = glob
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${body}$`);
}

export const globMatches = (glob: string, value: string): boolean => globToRegExp(glob).test(value);
