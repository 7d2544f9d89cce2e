import { join } from '../../model/pointer.ts';
import { obj, str } from '../../k8s/values.ts';
import { compareGo, containerPhrase, goQuote, joinQuote, joinSetters, pluralize, sortedSet } from '../format.ts';
import type { CheckDefinition, CheckFn, PssField } from '../types.ts';

export const APPARMOR_ANNOTATION_PREFIX = 'container.apparmor.security.beta.kubernetes.io/';

/** A present appArmorProfile object is allowed only with type RuntimeDefault or Localhost. */
function badFieldType(profile: unknown): string | undefined {
  const p = obj(profile);
  if (p === undefined) return undefined;
  const type = str(p.type) ?? '';
  return type === 'RuntimeDefault' || type === 'Localhost' ? undefined : type;
}

function allowedAnnotationValue(value: string): boolean {
  return value === '' || value === 'runtime/default' || value.startsWith('localhost/');
}

/** v1.0 (all versions): AppArmor fields and legacy per-container annotations must not be unconfined. */
export const appArmorProfile_1_0: CheckFn = (pod) => {
  const setters: string[] = [];
  const badTypes: string[] = [];
  const fields: PssField[] = [];

  const podType = badFieldType(pod.podSC?.appArmorProfile);
  if (podType !== undefined) {
    setters.push('pod');
    badTypes.push(podType);
    fields.push({ path: '/spec/securityContext/appArmorProfile/type', detail: `pod must not set AppArmor profile type to ${joinQuote([podType])}` });
  }

  const badContainers: string[] = [];
  for (const c of pod.containers) {
    const type = badFieldType(c.sc?.appArmorProfile);
    if (type === undefined) continue;
    badContainers.push(c.name);
    badTypes.push(type);
    fields.push({ path: `${c.pointer}/securityContext/appArmorProfile/type`, detail: `${containerPhrase([c.name])} must not set AppArmor profile type to ${joinQuote([type])}` });
  }
  if (badContainers.length > 0) setters.push(containerPhrase(badContainers));

  const annotations: { item: string; path: string }[] = [];
  if (pod.annotations !== undefined) {
    for (const [key, value] of Object.entries(pod.annotations)) {
      if (typeof value !== 'string' || !key.startsWith(APPARMOR_ANNOTATION_PREFIX)) continue;
      if (allowedAnnotationValue(value)) continue;
      annotations.push({ item: `${key}=${goQuote(value)}`, path: join('/metadata/annotations', key) });
    }
  }

  const badValues = sortedSet(badTypes);
  if (annotations.length > 0) {
    annotations.sort((a, b) => compareGo(a.item, b.item));
    for (const a of annotations) {
      badValues.push(a.item);
      fields.push({ path: a.path, detail: `annotation must not set AppArmor profile type to ${joinQuote([a.item])}` });
    }
    setters.push(pluralize('annotation', 'annotations', annotations.length));
  }
  if (badValues.length === 0) return undefined;
  return {
    reason: pluralize('forbidden AppArmor profile', 'forbidden AppArmor profiles', badValues.length),
    detail: `${joinSetters(setters)} must not set AppArmor profile type to ${joinQuote(badValues)}`,
    fields,
  };
};

export const appArmorProfile: CheckDefinition = {
  id: 'appArmorProfile',
  level: 'baseline',
  title: 'AppArmor profile',
  versions: [{ minVersion: 0, evaluate: appArmorProfile_1_0 }],
};
