import { join } from '../../model/pointer.ts';
import { obj, str } from '../../k8s/values.ts';
import { compareGo, containerPhrase, joinQuote, joinSetters, pluralize, podAndContainerSetters, sortedSet, goQuote } from '../format.ts';
import type { CheckDefinition, CheckFn, PssField } from '../types.ts';

export const SECCOMP_POD_ANNOTATION = 'seccomp.security.alpha.kubernetes.io/pod';
export const SECCOMP_CONTAINER_ANNOTATION_PREFIX = 'container.seccomp.security.alpha.kubernetes.io/';

function validAnnotation(value: string): boolean {
  return value === 'runtime/default' || value === 'docker/default' || value.startsWith('localhost/');
}

/** Seccomp profile types allowed in the securityContext fields. */
export function validSeccompType(type: string): boolean {
  return type === 'RuntimeDefault' || type === 'Localhost';
}

/** Type of a present seccompProfile object ('' when it has none), undefined when absent. */
export function seccompType(profile: unknown): string | undefined {
  const p = obj(profile);
  return p === undefined ? undefined : (str(p.type) ?? '');
}

/** v1.0: legacy annotations (pod, and per container name in the spec) must not be unconfined; fields ignored. */
export const seccompProfileBaseline_1_0: CheckFn = (pod) => {
  const annotations = pod.annotations;
  if (annotations === undefined) return undefined;
  const forbidden = new Map<string, string>(); // rendered item -> pointer
  const consider = (key: string): void => {
    if (!Object.hasOwn(annotations, key)) return;
    const value = annotations[key];
    if (typeof value !== 'string' || validAnnotation(value)) return;
    const item = `${key}=${goQuote(value)}`;
    if (!forbidden.has(item)) forbidden.set(item, join('/metadata/annotations', key));
  };
  consider(SECCOMP_POD_ANNOTATION);
  for (const c of pod.containers) consider(SECCOMP_CONTAINER_ANNOTATION_PREFIX + c.name);
  if (forbidden.size === 0) return undefined;
  const items = [...forbidden.keys()].sort(compareGo);
  return {
    reason: 'seccompProfile',
    detail: `forbidden ${pluralize('annotation', 'annotations', items.length)} ${items.join(', ')}`,
    fields: items.map((item) => ({ path: forbidden.get(item) ?? '', detail: `forbidden annotation ${item}` })),
  };
};

/** v1.19: fields only; a present profile must be RuntimeDefault or Localhost. Annotations ignored. */
export const seccompProfileBaseline_1_19: CheckFn = (pod) => {
  const badValues: string[] = [];
  const fields: PssField[] = [];
  const podType = seccompType(pod.podSC?.seccompProfile);
  const podBad = podType !== undefined && !validSeccompType(podType);
  if (podBad) {
    badValues.push(podType);
    fields.push({ path: '/spec/securityContext/seccompProfile/type', detail: `pod must not set securityContext.seccompProfile.type to ${joinQuote([podType])}` });
  }
  const badContainers: string[] = [];
  for (const c of pod.containers) {
    const type = seccompType(c.sc?.seccompProfile);
    if (type === undefined || validSeccompType(type)) continue;
    badContainers.push(c.name);
    badValues.push(type);
    fields.push({
      path: `${c.pointer}/securityContext/seccompProfile/type`,
      detail: `${containerPhrase([c.name])} must not set securityContext.seccompProfile.type to ${joinQuote([type])}`,
    });
  }
  const setters = podAndContainerSetters(podBad, badContainers);
  if (setters.length === 0) return undefined;
  return {
    reason: 'seccompProfile',
    detail: `${joinSetters(setters)} must not set securityContext.seccompProfile.type to ${joinQuote(sortedSet(badValues))}`,
    fields,
  };
};

export const seccompProfileBaseline: CheckDefinition = {
  id: 'seccompProfile_baseline',
  level: 'baseline',
  title: 'Unconfined seccomp profile',
  versions: [
    { minVersion: 0, evaluate: seccompProfileBaseline_1_0 },
    { minVersion: 19, evaluate: seccompProfileBaseline_1_19 },
  ],
};
