// Linux capabilities as container runtimes read them (case-insensitive, `CAP_` prefix optional), and the
// ones that matter for security, shared by the values lint, the Terraform values check and the blast radius.

/** `cap_sys_admin` -> `SYS_ADMIN`. */
export function capabilityName(raw: string): string {
  return raw.toUpperCase().replace(/^CAP_/, '');
}

/** Capabilities that lead out of the container to the node. */
export const ESCAPE_CAPABILITIES: ReadonlySet<string> = new Set(['ALL', 'SYS_ADMIN', 'SYS_MODULE', 'SYS_PTRACE', 'SYS_RAWIO', 'DAC_READ_SEARCH', 'BPF']);

/** Capabilities worth flagging wherever they are granted: the escape ones plus broad network, boot and MAC control. */
export const DANGEROUS_CAPABILITIES: ReadonlySet<string> = new Set([...ESCAPE_CAPABILITIES, 'NET_ADMIN', 'PERFMON', 'SYS_BOOT', 'MAC_ADMIN']);
