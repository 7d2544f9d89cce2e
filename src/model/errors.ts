// A user's mistake (bad flag, bad config, no helm) is a UsageError: a clear message and exit 2, never a
// stack trace. Anything else that escapes is a bug in preadmit.
export class UsageError extends Error {
  override name = 'UsageError';
}
