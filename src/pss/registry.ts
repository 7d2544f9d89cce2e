// Every PSS check in upstream evaluation order, and the resolved check list per level and version.
import type { CheckDefinition, CheckFn, PssCheckInfo, PssLevel } from './types.ts';
import { PSS_LATEST_MINOR } from './version.ts';
import { allowPrivilegeEscalation } from './checks/allowPrivilegeEscalation.ts';
import { appArmorProfile } from './checks/appArmorProfile.ts';
import { capabilitiesBaseline } from './checks/capabilitiesBaseline.ts';
import { capabilitiesRestricted } from './checks/capabilitiesRestricted.ts';
import { hostNamespaces } from './checks/hostNamespaces.ts';
import { hostPathVolumes } from './checks/hostPathVolumes.ts';
import { hostPorts } from './checks/hostPorts.ts';
import { hostProbesAndHostLifecycle } from './checks/hostProbesAndHostLifecycle.ts';
import { privileged } from './checks/privileged.ts';
import { procMount } from './checks/procMount.ts';
import { procMountRestricted } from './checks/procMountRestricted.ts';
import { restrictedVolumes } from './checks/restrictedVolumes.ts';
import { runAsNonRoot } from './checks/runAsNonRoot.ts';
import { runAsUser } from './checks/runAsUser.ts';
import { seccompProfileBaseline } from './checks/seccompProfileBaseline.ts';
import { seccompProfileRestricted } from './checks/seccompProfileRestricted.ts';
import { seLinuxOptionsCheck } from './checks/seLinuxOptions.ts';
import { sysctlsCheck } from './checks/sysctls.ts';
import { windowsHostProcess } from './checks/windowsHostProcess.ts';

/** Upstream order: baseline IDs by byte value, then restricted IDs by byte value. */
export const CHECK_DEFINITIONS: readonly CheckDefinition[] = [
  appArmorProfile,
  capabilitiesBaseline,
  hostNamespaces,
  hostPathVolumes,
  hostPorts,
  hostProbesAndHostLifecycle,
  privileged,
  procMount,
  seLinuxOptionsCheck,
  seccompProfileBaseline,
  sysctlsCheck,
  windowsHostProcess,
  allowPrivilegeEscalation,
  capabilitiesRestricted,
  procMountRestricted,
  restrictedVolumes,
  runAsNonRoot,
  runAsUser,
  seccompProfileRestricted,
];

export const PSS_CHECKS: readonly PssCheckInfo[] = CHECK_DEFINITIONS.map((def) => ({
  id: def.id,
  level: def.level,
  since: def.versions[0]?.minVersion ?? 0,
  title: def.title,
}));

export interface ActiveCheck {
  id: string;
  evaluate: CheckFn;
}

/** The implementation of a check in force at a minor version (greatest minVersion <= minor). */
function versionAt(def: CheckDefinition, minor: number) {
  let found: CheckDefinition['versions'][number] | undefined;
  for (const v of def.versions) if (v.minVersion <= minor) found = v;
  return found;
}

function resolve(level: 'baseline' | 'restricted', minor: number): ActiveCheck[] {
  const overridden = new Set<string>();
  if (level === 'restricted') {
    for (const def of CHECK_DEFINITIONS) {
      if (def.level === 'restricted') for (const id of versionAt(def, minor)?.overrides ?? []) overridden.add(id);
    }
  }
  const active: ActiveCheck[] = [];
  for (const def of CHECK_DEFINITIONS) {
    if (def.level === 'restricted' && level === 'baseline') continue;
    if (overridden.has(def.id)) continue;
    const impl = versionAt(def, minor);
    if (impl !== undefined) active.push({ id: def.id, evaluate: impl.evaluate });
  }
  return active;
}

/** Baseline check IDs a restricted check overrides at a (resolved) minor version. */
export function overriddenBy(checkId: string, minor: number): readonly string[] {
  const def = CHECK_DEFINITIONS.find((d) => d.id === checkId);
  if (def === undefined || def.level !== 'restricted') return [];
  return versionAt(def, Math.min(Math.max(0, Math.floor(minor)), PSS_LATEST_MINOR))?.overrides ?? [];
}

const TABLES = {
  baseline: Array.from({ length: PSS_LATEST_MINOR + 1 }, (_, minor) => resolve('baseline', minor)),
  restricted: Array.from({ length: PSS_LATEST_MINOR + 1 }, (_, minor) => resolve('restricted', minor)),
};

const NONE: readonly ActiveCheck[] = [];

/** Checks in force at a level and (already resolved) minor version, in evaluation order. */
export function checksFor(level: PssLevel, minor: number): readonly ActiveCheck[] {
  if (level !== 'baseline' && level !== 'restricted') return NONE;
  if (!(minor >= 0)) return NONE;
  const index = Math.min(Math.floor(minor), PSS_LATEST_MINOR);
  return TABLES[level][index] ?? NONE;
}
