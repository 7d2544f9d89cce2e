// The identity of a rendered object for fingerprints. A chart's template may put a random suffix in a name
// (`randAlphaNum`, `uuidv4`, `now`): two renders of the same commit then name the same object differently,
// and a fingerprint built on the name changes on every scan (code scanning closes and reopens the alert,
// a base comparison sees a fixed and a new finding). What does not change between renders is where the
// object comes from: the template file helm names in its `# Source:` line, the kind, and the object's
// place among that template's objects of that kind. helm emits one template's documents in the
// template's own order whatever the other templates do, so that place survives lines moving and the
// output's documents being reordered (helm sorts by kind, then template path).
import type { ScannedObject } from './model.ts';

/**
 * Numbers the objects of one helm render within their template and kind, in render order (0, 1, ...).
 * Unique within the render by construction: two objects of a render never share (template, kind, ordinal),
 * even when a template prints another template's `# Source:` line, so no two findings are merged.
 */
export function numberWithinTemplates(objects: readonly ScannedObject[]): void {
  const counts = new Map<string, number>();
  for (const object of objects) {
    const template = object.source.template;
    if (object.source.kind !== 'helm' || template === undefined || template === '') continue;
    const key = `${template}\u0000${object.ref.kind}`;
    const ordinal = counts.get(key) ?? 0;
    counts.set(key, ordinal + 1);
    object.templateOrdinal = ordinal;
  }
}

/**
 * The parts of an object's identity a fingerprint is made of: for a helm object numbered by
 * numberWithinTemplates, its template, kind and ordinal, never its name or namespace (an API version bump
 * keeps it too); for everything else (manifests, Terraform resources and releases, a chart's `crds/` files) its kind,
 * namespace and name, as before.
 */
export function identityParts(object: ScannedObject): string[] {
  const { ref, source } = object;
  if (source.kind === 'helm' && object.templateOrdinal !== undefined && source.template) {
    return [ref.kind, '\u0001template', source.template, String(object.templateOrdinal)];
  }
  return [ref.kind, ref.namespace ?? '', ref.name];
}

