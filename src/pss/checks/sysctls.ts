import { arr, obj, str } from '../../k8s/values.ts';
import type { CheckDefinition, CheckFn, PssField } from '../types.ts';

/** Safe sysctls added to the allow-list at each version (cumulative). */
export const SAFE_SYSCTLS_ADDED: readonly { since: number; names: readonly string[] }[] = [
  {
    since: 0,
    names: [
      'kernel.shm_rmid_forced',
      'net.ipv4.ip_local_port_range',
      'net.ipv4.tcp_syncookies',
      'net.ipv4.ping_group_range',
      'net.ipv4.ip_unprivileged_port_start',
    ],
  },
  { since: 27, names: ['net.ipv4.ip_local_reserved_ports'] },
  {
    since: 29,
    names: ['net.ipv4.tcp_keepalive_time', 'net.ipv4.tcp_fin_timeout', 'net.ipv4.tcp_keepalive_intvl', 'net.ipv4.tcp_keepalive_probes'],
  },
  { since: 32, names: ['net.ipv4.tcp_rmem', 'net.ipv4.tcp_wmem'] },
  { since: 37, names: ['net.ipv4.tcp_slow_start_after_idle', 'net.ipv4.tcp_notsent_lowat'] },
];

function allowedAt(minor: number): ReadonlySet<string> {
  return new Set(SAFE_SYSCTLS_ADDED.filter((row) => row.since <= minor).flatMap((row) => row.names));
}

function sysctls(allowed: ReadonlySet<string>): CheckFn {
  return (pod) => {
    const forbidden: string[] = [];
    const fields: PssField[] = [];
    arr(pod.podSC?.sysctls).forEach((entry, index) => {
      const sysctl = obj(entry);
      if (sysctl === undefined) return;
      const name = str(sysctl.name) ?? '';
      if (allowed.has(name)) return;
      forbidden.push(name);
      fields.push({ path: `/spec/securityContext/sysctls/${index}`, detail: `pod must not set sysctl ${name}` });
    });
    if (forbidden.length === 0) return undefined;
    return { reason: 'forbidden sysctls', detail: forbidden.join(', '), fields };
  };
}

export const sysctls_1_0: CheckFn = sysctls(allowedAt(0));
export const sysctls_1_27: CheckFn = sysctls(allowedAt(27));
export const sysctls_1_29: CheckFn = sysctls(allowedAt(29));
export const sysctls_1_32: CheckFn = sysctls(allowedAt(32));
export const sysctls_1_37: CheckFn = sysctls(allowedAt(37));

export const sysctlsCheck: CheckDefinition = {
  id: 'sysctls',
  level: 'baseline',
  title: 'Unsafe sysctls',
  versions: [
    { minVersion: 0, evaluate: sysctls_1_0 },
    { minVersion: 27, evaluate: sysctls_1_27 },
    { minVersion: 29, evaluate: sysctls_1_29 },
    { minVersion: 32, evaluate: sysctls_1_32 },
    { minVersion: 37, evaluate: sysctls_1_37 },
  ],
};
