// Pod Security Admission namespace labels, read as the admission plugin reads them (SPEC §6.1):
// an invalid enforce level fails closed (restricted), an invalid version means latest.
import { resolvePssVersion } from './index.ts';
import { isObj, str } from '../k8s/values.ts';

export type EnforceLevel = 'privileged' | 'baseline' | 'restricted';
export const ENFORCE_LABEL = 'pod-security.kubernetes.io/enforce';
export const ENFORCE_VERSION_LABEL = 'pod-security.kubernetes.io/enforce-version';
const LEVELS = new Set(['privileged', 'baseline', 'restricted']);

export interface NamespaceEnforcement {
  /** undefined: the namespace sets no enforce label (the cluster default applies, privileged unless configured). */
  level?: EnforceLevel;
  version: string;
  /** Label values that are not valid, as the API server would reject them. */
  invalid: string[];
}

export function namespaceEnforcement(namespace: Record<string, unknown>): NamespaceEnforcement {
  const metadata = isObj(namespace.metadata) ? namespace.metadata : {};
  const labels = isObj(metadata.labels) ? metadata.labels : {};
  const invalid: string[] = [];
  const rawLevel = str(labels[ENFORCE_LABEL]);
  let level: EnforceLevel | undefined;
  if (rawLevel !== undefined) {
    if (LEVELS.has(rawLevel)) level = rawLevel as EnforceLevel;
    else {
      invalid.push(ENFORCE_LABEL);
      level = 'restricted';
    }
  }
  let version = str(labels[ENFORCE_VERSION_LABEL]) ?? 'latest';
  if (resolvePssVersion(version) === undefined) {
    invalid.push(ENFORCE_VERSION_LABEL);
    version = 'latest';
  }
  return { ...(level ? { level } : {}), version, invalid };
}
