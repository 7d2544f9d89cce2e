// How a rule says its finding can be fixed (issue 17), the ESLint way: beside the rule's own `meta`, a
// recipe names the fields it fixes and the value each gets. src/fix/ turns a recipe into a values.yaml edit
// at the key the finding was located at, and offers it only once a re-render proves it. A rule with no
// edit that is right for every chart declares no recipe.

/** A YAML value a recipe writes: scalars, lists and maps of them. */
export type FixValue = string | number | boolean | readonly FixValue[] | { readonly [key: string]: FixValue };

export interface FixRecipe {
  /**
   * By the finding's field (the last token of its path): the value the field gets. A finding at a field not
   * named here gets no fix (pss-seccomp-restricted fixes `type`, not an annotation).
   */
  set: Readonly<Record<string, FixValue>>;
  /**
   * Only with `--fix-rule ID`: the edit changes what the chart does in a way its maintainer must choose (a
   * LoadBalancer becomes a ClusterIP Service), never offered by default.
   */
  optIn?: boolean;
}
