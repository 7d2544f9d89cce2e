import { containerPhrase } from '../format.ts';
import type { CheckDefinition, CheckFn, PssField } from '../types.ts';

/** v1.8: every container must set allowPrivilegeEscalation=false explicitly. */
export const allowPrivilegeEscalation_1_8: CheckFn = (pod) => {
  const bad: string[] = [];
  const fields: PssField[] = [];
  for (const c of pod.containers) {
    if (c.sc?.allowPrivilegeEscalation === false) continue;
    bad.push(c.name);
    fields.push({
      path: `${c.pointer}/securityContext/allowPrivilegeEscalation`,
      detail: `${containerPhrase([c.name])} must set securityContext.allowPrivilegeEscalation=false`,
    });
  }
  if (bad.length === 0) return undefined;
  return {
    reason: 'allowPrivilegeEscalation != false',
    detail: `${containerPhrase(bad)} must set securityContext.allowPrivilegeEscalation=false`,
    fields,
  };
};

/** v1.25: Windows pods (spec.os.name: windows) are exempt. */
export const allowPrivilegeEscalation_1_25: CheckFn = (pod) => (pod.windows ? undefined : allowPrivilegeEscalation_1_8(pod));

export const allowPrivilegeEscalation: CheckDefinition = {
  id: 'allowPrivilegeEscalation',
  level: 'restricted',
  title: 'Privilege escalation',
  versions: [
    { minVersion: 8, evaluate: allowPrivilegeEscalation_1_8 },
    { minVersion: 25, evaluate: allowPrivilegeEscalation_1_25 },
  ],
};
