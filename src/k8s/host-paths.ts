// Host paths as the node sees them: normalisation, the runtime sockets and sensitive paths that matter,
// and which containers mount a pod's hostPath volumes and how. Shared by the host-mount rules and the
// blast radius.
import { join } from '../model/pointer.ts';
import { arr, at, isObj, str, type Obj } from './values.ts';
import type { ContainerView } from './workloads.ts';

/**
 * Canonical form of a host path for matching: duplicate slashes collapsed, `.` segments and a trailing
 * slash dropped, `..` resolved, and `/var/run` folded into `/run` (a symlink to it on every current distro).
 * Windows named pipes (`\\.\pipe\...`) are lower-cased (NTFS names are case-insensitive). A relative path
 * is returned as is: it matches nothing in the catalogs.
 */
export function normaliseHostPath(raw: string): string {
  const trimmed = raw.trim();
  if (/^[\\/]{2}\.[\\/]pipe[\\/]/i.test(trimmed)) return '\\\\.\\pipe\\' + trimmed.slice(9).toLowerCase();
  if (!trimmed.startsWith('/')) return trimmed;
  const out: string[] = [];
  for (const segment of trimmed.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') out.pop();
    else out.push(segment);
  }
  const path = '/' + out.join('/');
  return path === '/var/run' || path.startsWith('/var/run/') ? path.slice(4) : path;
}

/** True when `path` is `base` or lies below it (both normalised). */
export function isAtOrUnder(path: string, base: string): boolean {
  if (base === '/') return true;
  return path === base || path.startsWith(base + '/');
}

// ---------------------------------------------------------------------------------------------------------
// Container runtime sockets: whoever reaches one controls every container on the node, and through a
// privileged container the node itself. A read-only mount does not help: connecting to a socket is allowed
// on a read-only bind mount.

/** Sockets (normalised, so `/var/run/x` is listed as `/run/x`). */
const RUNTIME_SOCKETS: readonly string[] = [
  '/run/docker.sock',
  '/run/containerd/containerd.sock',
  '/run/crio/crio.sock',
  '/run/cri-dockerd.sock',
  '/run/dockershim.sock',
  '/run/podman/podman.sock',
  '/run/k3s/containerd/containerd.sock',
  '\\\\.\\pipe\\docker_engine',
  '\\\\.\\pipe\\containerd-containerd',
];

/** Directories whose mount exposes one of the sockets above (exact match: their subdirectories don't). */
const RUNTIME_SOCKET_DIRS: readonly string[] = ['/run', '/run/docker', '/run/containerd', '/run/crio', '/run/podman', '/run/k3s/containerd'];

export interface RuntimeSocketMatch {
  kind: 'socket' | 'directory';
}

export function matchRuntimeSocket(normalised: string): RuntimeSocketMatch | undefined {
  if (RUNTIME_SOCKETS.includes(normalised)) return { kind: 'socket' };
  if (RUNTIME_SOCKET_DIRS.includes(normalised)) return { kind: 'directory' };
  return undefined;
}

// ---------------------------------------------------------------------------------------------------------
// Sensitive host paths. `read` entries disclose secrets or node state even read-only (a read-only mount is
// reported at a lower severity); `write` entries are only dangerous writable (host binaries to replace,
// /var/log for the kubelet log-symlink escape, CA bundles to poison) and a read-only mount of them is fine.

export interface SensitivePath {
  path: string;
  /** `exact`: only the path itself; `subtree`: the path and everything below it. */
  match: 'exact' | 'subtree';
  exposure: 'read' | 'write';
  /** Why it matters, for the message. */
  why: string;
}

export const SENSITIVE_HOST_PATHS: readonly SensitivePath[] = [
  // Most specific first: the first match wins.
  { path: '/etc/kubernetes', match: 'subtree', exposure: 'read', why: 'node and control-plane credentials (kubeconfigs, PKI)' },
  { path: '/var/lib/kubelet', match: 'subtree', exposure: 'read', why: 'kubelet state, including every pod\'s mounted Secrets and service account tokens' },
  { path: '/var/lib/etcd', match: 'subtree', exposure: 'read', why: 'the etcd database, i.e. every object and Secret of the cluster' },
  { path: '/var/lib/docker', match: 'subtree', exposure: 'read', why: 'the Docker data root: every container\'s filesystem and configuration' },
  { path: '/var/lib/containerd', match: 'subtree', exposure: 'read', why: 'the containerd data root: every container\'s filesystem' },
  { path: '/var/lib/containers', match: 'subtree', exposure: 'read', why: 'the CRI-O/Podman storage root: every container\'s filesystem' },
  { path: '/var/log', match: 'subtree', exposure: 'write', why: 'node logs; writable, symlinks planted here are followed by the kubelet when serving logs' },
  { path: '/var/lib', match: 'exact', exposure: 'read', why: 'all node state, including kubelet, runtime and etcd data' },
  { path: '/var', match: 'exact', exposure: 'read', why: 'all node state, including kubelet, runtime and etcd data' },
  // CA bundles and harmless identity files under /etc: fine read-only, dangerous writable.
  { path: '/etc/ssl/certs', match: 'subtree', exposure: 'write', why: 'the node\'s trusted CA bundle' },
  { path: '/etc/pki/tls/certs', match: 'subtree', exposure: 'write', why: 'the node\'s trusted CA bundle' },
  { path: '/etc/pki/ca-trust', match: 'subtree', exposure: 'write', why: 'the node\'s trusted CA bundle' },
  { path: '/etc/ca-certificates', match: 'subtree', exposure: 'write', why: 'the node\'s trusted CA bundle' },
  { path: '/etc/localtime', match: 'exact', exposure: 'write', why: 'the node\'s time zone' },
  { path: '/etc/timezone', match: 'exact', exposure: 'write', why: 'the node\'s time zone' },
  { path: '/etc/machine-id', match: 'exact', exposure: 'write', why: 'the node\'s identity' },
  { path: '/etc/os-release', match: 'exact', exposure: 'write', why: 'the node\'s OS identification' },
  { path: '/etc', match: 'subtree', exposure: 'read', why: 'node configuration and credentials (shadow, SSH host keys, kubelet config)' },
  { path: '/root', match: 'subtree', exposure: 'read', why: 'root\'s home directory (SSH keys, kubeconfigs, shell history)' },
  { path: '/home', match: 'subtree', exposure: 'read', why: 'user home directories (SSH keys, credentials)' },
  { path: '/proc', match: 'subtree', exposure: 'read', why: 'host processes, their environments and the host root via /proc/1/root' },
  { path: '/sys', match: 'subtree', exposure: 'read', why: 'kernel and device interfaces of the node' },
  { path: '/boot', match: 'subtree', exposure: 'read', why: 'the node\'s kernel and boot configuration' },
  { path: '/dev', match: 'subtree', exposure: 'read', why: 'the node\'s devices (disks, memory)' },
  { path: '/usr', match: 'subtree', exposure: 'write', why: 'the node\'s binaries and libraries' },
  { path: '/bin', match: 'subtree', exposure: 'write', why: 'the node\'s binaries' },
  { path: '/sbin', match: 'subtree', exposure: 'write', why: 'the node\'s binaries' },
  { path: '/lib', match: 'subtree', exposure: 'write', why: 'the node\'s libraries and kernel modules' },
  { path: '/lib64', match: 'subtree', exposure: 'write', why: 'the node\'s libraries' },
  { path: '/opt/cni/bin', match: 'subtree', exposure: 'write', why: 'CNI plugin binaries the kubelet runs as root' },
  { path: '/', match: 'exact', exposure: 'read', why: 'the node\'s entire filesystem' },
];

export function matchSensitivePath(normalised: string): SensitivePath | undefined {
  return SENSITIVE_HOST_PATHS.find((entry) => (entry.match === 'exact' ? normalised === entry.path : isAtOrUnder(normalised, entry.path)));
}

// ---------------------------------------------------------------------------------------------------------

export interface HostPathMount {
  container: ContainerView;
  mount: Obj;
  /** `readOnly: true` exactly (any other value is a writable mount). */
  readOnly: boolean;
}

export interface HostPathVolume {
  index: number;
  name: string;
  /** The path as written. */
  path: string;
  normalised: string;
  /** Pointer of `hostPath.path`, relative to the pod template. */
  pointer: string;
  /** Every volumeMount of this volume, in every container list. */
  mounts: HostPathMount[];
}

/** hostPath volumes with a string path; anything malformed is skipped. */
export function hostPathVolumes(pod: { spec: Obj; containers: readonly ContainerView[] }): HostPathVolume[] {
  const volumes: HostPathVolume[] = [];
  arr(pod.spec.volumes).forEach((volume, index) => {
    if (!isObj(volume)) return;
    const path = str(at(volume, 'hostPath', 'path'));
    if (path === undefined || path.trim() === '') return;
    const name = str(volume.name) ?? '';
    const mounts: HostPathMount[] = [];
    for (const container of pod.containers) {
      for (const mount of arr(container.container.volumeMounts)) {
        if (!isObj(mount) || str(mount.name) !== name) continue;
        mounts.push({ container, mount, readOnly: mount.readOnly === true });
      }
    }
    volumes.push({ index, name, path, normalised: normaliseHostPath(path), pointer: join('/spec/volumes', index, 'hostPath', 'path'), mounts });
  });
  return volumes;
}

/** True when every mount of the volume is read-only (vacuously true for a volume no container mounts). */
export function mountedReadOnly(volume: HostPathVolume): boolean {
  return volume.mounts.every((m) => m.readOnly);
}

