// Text from scanned files (object names, file names, helm's `fail` messages) printed where a GitHub
// Actions runner reads it, made inert. The runner (actions/runner, ActionCommandManager.TryProcessCommand)
// tries two forms on every line of a step's stdout and stderr, lines split at \n, \r and \r\n:
//   - `::name props::data` when the line, after leading whitespace, starts with `::` (ActionCommand.TryParseV2);
//   - the legacy `##[name props]data` ANYWHERE in the line (ActionCommand.TryParse: IndexOf("##[")).
// Command names match case-insensitively, and both searches are .NET culture-sensitive string operations
// (string.StartsWith/IndexOf without StringComparison): with ICU, characters that collate as completely
// ignorable (controls, format characters, most combining marks, a few letters such as U+0640) do not count,
// so `#\u0591#[add-mask]` or `:\u200b:` still match. A zero-width character is therefore no defence.
//
// The defence here: no `:` is followed by another `:`, and no `[` is preceded by two `#`, once possibly
// ignorable characters are skipped; an ASCII space (which collates with a primary weight) goes in between.
// Everything else is left as it is, so the text still reads as the value it was.

/**
 * Characters that an ICU collator may treat as completely ignorable: a deliberate superset (all marks,
 * controls, format, unassigned, private-use and default-ignorable code points, and the few others Node's
 * ICU 78 collates as ignorable), so a newer ICU on the runner that ignores more is still covered.
 */
export const MAYBE_IGNORABLE = String.raw`[\p{M}\p{C}\p{Default_Ignorable_Code_Point}\u0640\u07fa\u180a\u1cd3\ufe73]`;

const COLON_PAIR = new RegExp(`:(?=${MAYBE_IGNORABLE}*:)`, 'gu');
const HASH_BRACKET = new RegExp(`(?<=#${MAYBE_IGNORABLE}*#${MAYBE_IGNORABLE}*)\\[`, 'gu');

/** `::` becomes `: :` and `##[` becomes `## [` (also with ignorable characters in between). */
export function defuseRunnerCommands(text: string): string {
  return text.replace(COLON_PAIR, ': ').replace(HASH_BRACKET, ' [');
}

/**
 * The same for a JSON document (the CLI's json and sarif formats on stdout), without changing what it
 * parses to: a `:` or `[` that would complete a command can only sit inside a string there, so it is
 * written as the escape `\u003a` or `\u005b` instead.
 */
export function defuseRunnerCommandsInJson(json: string): string {
  return json.replace(COLON_PAIR, '\\u003a').replace(HASH_BRACKET, '\\u005b');
}

/** Whether a runner could read a command in `text` (for tests and assertions). */
export function hasRunnerCommand(text: string): boolean {
  COLON_PAIR.lastIndex = 0;
  HASH_BRACKET.lastIndex = 0;
  return COLON_PAIR.test(text) || HASH_BRACKET.test(text);
}
