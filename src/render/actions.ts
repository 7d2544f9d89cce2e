// The `{{ ... }}` actions of template text, found in linear time. `/\{\{[\s\S]*?\}\}/g` alone retries from
// every `{{` that no `}}` follows, scanning to the end each time: quadratic on text a pull request writes
// (`{{/*` repeated). Past the last `}}` no action can close, so that tail is never searched.

const ACTION = /\{\{[\s\S]*?\}\}/g;

/** Every action of `text`, with its index (as matchAll gives them). */
export function templateActions(text: string): RegExpExecArray[] {
  const end = text.lastIndexOf('}}');
  return end < 0 ? [] : [...text.slice(0, end + 2).matchAll(ACTION)];
}

/** `text` with each action replaced by `replace(action)`. */
export function replaceActions(text: string, replace: (action: string) => string): string {
  const end = text.lastIndexOf('}}');
  return end < 0 ? text : text.slice(0, end + 2).replace(ACTION, (action) => replace(action)) + text.slice(end + 2);
}
