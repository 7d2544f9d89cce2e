// A pod as rules see it: the pod template of a workload, its containers, and its Pod Security verdict.
// Its own module so the unit index (unit.ts) and the rule kit (rule-kit.ts) both use it without importing
// each other.
import type { AdmissionVerdict, PssViolation, ScannedObject } from '../model/model.ts';
import type { ContainerView, PodTemplateView } from '../k8s/workloads.ts';
import type { PssField } from '../pss/types.ts';

export interface PodView extends PodTemplateView {
  object: ScannedObject;
  containers: ContainerView[];
  /** Admission verdict of this pod at the scan's PSS version, both levels. */
  admission: AdmissionVerdict;
  /**
   * Violations the rules report at the scan's configured level, each offending field with its own detail
   * (pointers relative to the pod template): at restricted, baseline's violations too (see reportedViolations).
   */
  pss: readonly (PssViolation & { fields: readonly PssField[] })[];
}
