// The Terraform plan loader's public surface (see README.md beside this file).
export { classifyPlanFile, classifyText, type PlanClassification, type PlanEncoding } from './detect.ts';
export { loadPlan, CLUSTER_TYPES, MANIFEST_TYPES, type PlanHelmRelease, type PlanLoad, type PlanLoadOptions, type PlanNote } from './plan.ts';
export { convertTyped, tfPathOf, TYPED_RESOURCES, type Converted, type TypedSpec } from './convert.ts';
export { fromHelmRelease, resolveChart, type HelmReleaseRequest, type HelmSetEntry } from './helm-release.ts';
export { renderHelmRelease, setEntriesToValues, parseSetName, typedValue, type RenderedRelease, type RenderReleaseOptions } from './render-release.ts';
export { TfLocator, parseAddress, type AddressParts, type ResourceLocation } from './locate.ts';
export { parseHcl, locatePath, type HclItem, type HclValue } from './hcl.ts';
export { REDACTED } from './marks.ts';
export {
  markUnknownFindings,
  unknownOf,
  isUnknownAt,
  unknownBehind,
  unknownSeverity,
  TERRAFORM_API_VERSION,
  UNKNOWN_NOTE,
  type TerraformObject,
} from './unknown.ts';
export { loadPlanFile, type PlanFileLoad, type PlanFileOptions } from './load-plan-file.ts';
