// Template for rules about hostPath volumes (kube-linter's `host-mounts` idea): each rule instantiates it
// with a classifier over one hostPath volume. What a host path means (normalisation, the runtime sockets
// and sensitive paths, who mounts a volume and how) lives in src/k8s/host-paths.ts, shared with the blast radius.
import type { PodRule, Report, RuleMeta } from '../../src/engine/rule-kit.ts';
import { hostPathVolumes, type HostPathVolume } from '../../src/k8s/host-paths.ts';

export {
  hostPathVolumes,
  isAtOrUnder,
  matchRuntimeSocket,
  matchSensitivePath,
  mountedReadOnly,
  normaliseHostPath,
  SENSITIVE_HOST_PATHS,
  type HostPathMount,
  type HostPathVolume,
  type RuntimeSocketMatch,
  type SensitivePath,
} from '../../src/k8s/host-paths.ts';

export const HOST_PATH_DOC = 'https://kubernetes.io/docs/concepts/storage/volumes/#hostpath';

/** What a classifier says about one hostPath volume: a report without its path, which the template fills. */
export type HostMountVerdict = Omit<Report, 'path'>;

export interface HostMountsRuleSpec {
  meta: RuleMeta;
  classify(volume: HostPathVolume): HostMountVerdict | undefined;
}

export function hostMountsRule(spec: HostMountsRuleSpec): PodRule {
  return {
    meta: spec.meta,
    target: 'pod',
    *check(pod) {
      for (const volume of hostPathVolumes(pod)) {
        const verdict = spec.classify(volume);
        if (verdict) yield { ...verdict, path: volume.pointer };
      }
    },
  };
}
