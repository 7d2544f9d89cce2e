// Container image references, parsed the way the container runtime resolves them (the distribution
// `reference` grammar with Docker's defaulting): `nginx` is docker.io/library/nginx, `localhost:5000/app`
// has a registry with a port and no tag, and `app:1.2@sha256:...` is pinned by its digest.
// Shared by the image rules; images that are not strings, empty or not valid references are skipped by
// every rule (the kubelet refuses them anyway, so guessing would only add noise).
import { minimatch } from 'minimatch';
import type { PodView } from '../../src/engine/rule-kit.ts';
import type { ContainerView } from '../../src/k8s/workloads.ts';

export const IMAGES_DOC = 'https://kubernetes.io/docs/concepts/containers/images/';

export interface ImageRef {
  /** The reference as written. */
  raw: string;
  /** Registry host (lower-cased, with port if any); docker.io when the reference names none. */
  registry: string;
  /** Path inside the registry; `library/` added for Docker Hub official images. */
  repository: string;
  /** `registry/repository`, e.g. docker.io/library/nginx. */
  name: string;
  tag?: string;
  digest?: string;
}

const DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]{32,}$/;
const TAG = /^\w[\w.-]{0,127}$/;
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*$/;
const HOST = /^(?:\[[0-9a-fA-F:]+\]|[a-zA-Z0-9](?:[a-zA-Z0-9.-]*[a-zA-Z0-9])?)(?::[0-9]+)?$/;

/** Docker's rule: the first component is a registry when it has a dot or a port, is localhost, or has upper case. */
function isHostComponent(component: string): boolean {
  return component.includes('.') || component.includes(':') || component === 'localhost' || component !== component.toLowerCase();
}

function canonicalHost(host: string): string {
  const lower = host.toLowerCase();
  return lower === 'index.docker.io' || lower === 'registry-1.docker.io' ? 'docker.io' : lower;
}

/** Splits `host/path` or a familiar name into registry and repository, with Docker Hub defaulting. */
function splitName(name: string): { registry: string; repository: string } {
  const slash = name.indexOf('/');
  const first = slash === -1 ? '' : name.slice(0, slash);
  let registry = 'docker.io';
  let repository = name;
  if (slash !== -1 && isHostComponent(first)) {
    registry = canonicalHost(first);
    repository = name.slice(slash + 1);
  }
  if (registry === 'docker.io' && repository !== '' && !repository.includes('/')) repository = `library/${repository}`;
  return { registry, repository };
}

/** The parsed reference, or undefined when `raw` is not a valid image reference. */
export function parseImage(raw: string): ImageRef | undefined {
  if (raw === '' || /\s/.test(raw)) return undefined;
  let rest = raw;
  let digest: string | undefined;
  const atSign = rest.indexOf('@');
  if (atSign !== -1) {
    digest = rest.slice(atSign + 1);
    rest = rest.slice(0, atSign);
    if (!DIGEST.test(digest)) return undefined;
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) return undefined;
  }
  if (rest === '') return undefined;
  const slash = rest.indexOf('/');
  if (slash !== -1 && isHostComponent(rest.slice(0, slash)) && !HOST.test(rest.slice(0, slash))) return undefined;
  const { registry, repository } = splitName(rest);
  if (repository === '' || !repository.split('/').every((c) => PATH_COMPONENT.test(c))) return undefined;
  const ref: ImageRef = { raw, registry, repository, name: `${registry}/${repository}` };
  if (tag !== undefined) ref.tag = tag;
  if (digest !== undefined) ref.digest = digest;
  return ref;
}

export function isPinned(ref: ImageRef): boolean {
  return ref.digest !== undefined;
}

/** Neither a digest nor a tag other than `latest` (any case): what runs depends on when the node pulls. */
export function isFloating(ref: ImageRef): boolean {
  return !isPinned(ref) && (ref.tag === undefined || ref.tag.toLowerCase() === 'latest');
}

/**
 * Normalises a registry/image prefix from configuration: `ghcr.io/acme/` -> `ghcr.io/acme`, `Docker.IO` ->
 * `docker.io`, a familiar name `nginx` -> `docker.io/library/nginx`. Globs are returned as written.
 */
export function normalisePrefix(pattern: string): string {
  const trimmed = pattern.trim().replace(/\/+$/, '');
  if (/[*?[\]{}]/.test(trimmed)) return trimmed;
  const slash = trimmed.indexOf('/');
  const first = slash === -1 ? trimmed : trimmed.slice(0, slash);
  if (isHostComponent(first)) return canonicalHost(first) + (slash === -1 ? '' : trimmed.slice(slash));
  const { registry, repository } = splitName(trimmed);
  return `${registry}/${repository}`;
}

/**
 * Whether an image falls under a configured entry: a registry host (`ghcr.io`), a host/path prefix
 * (`ghcr.io/acme`, matched at `/` boundaries), or a glob (`*.dkr.ecr.*.amazonaws.com/**`) matched against
 * the normalised name and the reference as written.
 */
export function matchesPrefix(ref: ImageRef, pattern: string): boolean {
  const prefix = normalisePrefix(pattern);
  if (prefix === '') return false;
  if (/[*?[\]{}]/.test(prefix)) {
    return [ref.name, ref.raw].some((candidate) => minimatch(candidate, prefix) || minimatch(candidate, `${prefix}/**`));
  }
  return ref.name === prefix || ref.name.startsWith(`${prefix}/`);
}

/** Non-empty strings of an option array; anything else reads as absent. */
export function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string' && v.trim() !== '') : [];
}

export interface ContainerImage {
  view: ContainerView;
  image: string;
  ref: ImageRef;
  /** Pointer of the container's `image`, relative to the pod template. */
  pointer: string;
}

/** Every container (init, regular and ephemeral) whose image is a valid reference. */
export function containerImages(pod: PodView): ContainerImage[] {
  const images: ContainerImage[] = [];
  for (const view of pod.containers) {
    const image = view.container.image;
    if (typeof image !== 'string') continue;
    const ref = parseImage(image);
    if (ref) images.push({ view, image, ref, pointer: `${view.pointer}/image` });
  }
  return images;
}
