// Policy versions: `latest` or `v1.N`, capped to the newest policy implemented here.

/** Newest policy version implemented (upstream pod-security-admission v0.37.0-alpha.2, Kubernetes 1.37). */
export const PSS_LATEST_MINOR = 37;

const VERSION = /^v1\.(0|[1-9][0-9]*)$/;
const INT64_MAX = '9223372036854775807';

/**
 * 'latest' -> PSS_LATEST_MINOR; 'v1.N' -> N capped to PSS_LATEST_MINOR; anything else -> undefined.
 * As upstream (strconv.ParseInt), a minor that overflows int64 is invalid rather than capped.
 */
export function resolvePssVersion(version: string): number | undefined {
  if (version === 'latest') return PSS_LATEST_MINOR;
  if (typeof version !== 'string') return undefined;
  const match = VERSION.exec(version);
  const digits = match?.[1];
  if (digits === undefined) return undefined;
  if (digits.length > INT64_MAX.length || (digits.length === INT64_MAX.length && digits > INT64_MAX)) return undefined;
  return Math.min(Number(digits), PSS_LATEST_MINOR);
}
