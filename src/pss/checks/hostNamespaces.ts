import type { CheckDefinition, CheckFn, PssField } from '../types.ts';

const FIELDS = ['hostNetwork', 'hostPID', 'hostIPC'] as const;

/** v1.0: hostNetwork, hostPID and hostIPC must not be true. */
export const hostNamespaces_1_0: CheckFn = (pod) => {
  const items: string[] = [];
  const fields: PssField[] = [];
  for (const field of FIELDS) {
    if (pod.spec[field] === true) {
      items.push(`${field}=true`);
      fields.push({ path: `/spec/${field}`, detail: `pod must not set spec.${field}=true` });
    }
  }
  if (items.length === 0) return undefined;
  return { reason: 'host namespaces', detail: items.join(', '), fields };
};

export const hostNamespaces: CheckDefinition = {
  id: 'hostNamespaces',
  level: 'baseline',
  title: 'Host namespaces',
  versions: [{ minVersion: 0, evaluate: hostNamespaces_1_0 }],
};
