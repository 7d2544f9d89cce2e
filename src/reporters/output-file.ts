// Writing a report file (CLI --output, the Action's SARIF and JSON reports) without letting the scanned
// repository choose where the bytes land. A pull request can commit a symbolic link where the report goes
// (`preadmit.sarif -> ~/.bashrc`) or a linked folder on the way (`reports -> /etc`); git checks both out.
//   - The file itself: written to a new temporary file in the same folder (O_CREAT|O_EXCL|O_NOFOLLOW) and
//     renamed over the target. rename() replaces a symbolic link (or a hard link) itself, never its target.
//   - The folder: when the path as given lies inside the base folder (the workspace, or the CLI's working
//     directory), its real location must lie inside the base folder's real location too. A path given
//     outside it (an absolute path, RUNNER_TEMP) is taken as the user's explicit choice.
// Problems are UsageErrors naming the file and the cause, found before the scan when possible.
import { randomBytes } from 'node:crypto';
import { closeSync, constants, lstatSync, mkdirSync, openSync, realpathSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import path from 'node:path';
import { UsageError } from '../model/errors.ts';

export class OutputFileError extends UsageError {
  override name = 'OutputFileError';
}

function inside(child: string, parent: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

function exists(p: string): boolean {
  try {
    lstatSync(p);
    return true;
  } catch {
    return false;
  }
}

function reason(error: unknown): string {
  const e = error as NodeJS.ErrnoException;
  switch (e.code) {
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'ENOTDIR':
      return 'a part of the path is a file, not a folder';
    case 'ENOENT':
      return 'a part of the path does not exist (or is a broken symbolic link)';
    case 'EISDIR':
      return 'it is a folder';
    case 'EROFS':
      return 'the file system is read-only';
    case 'ENOSPC':
      return 'no space left on the device';
    default:
      return e.message ?? String(error);
  }
}

/**
 * Checks where `file` (relative to `base`) would be written and creates its missing folders, so that a
 * bad place fails before any work is done. Returns the absolute path to pass to writeOutputFile.
 */
export function prepareOutputFile(file: string, base: string, shown: string = file): string {
  const target = path.resolve(base, file);
  const dir = path.dirname(target);
  checkFolder(target, base, shown);
  try {
    mkdirSync(dir, { recursive: true });
  } catch (error) {
    throw new OutputFileError(`cannot write ${shown}: cannot create the folder ${dir}: ${reason(error)}`);
  }
  checkFolder(target, base, shown);
  let isDir = false;
  try {
    // lstat: a link (to anything) is replaced by the rename, only a real folder is in the way.
    isDir = lstatSync(target).isDirectory();
  } catch {
    // Missing: fine.
  }
  if (isDir) throw new OutputFileError(`cannot write ${shown}: it is a folder`);
  return target;
}

/** The folder of `target`, as far as it exists, stays inside `base` when the path says it is inside. */
function checkFolder(target: string, base: string, shown: string): void {
  const absBase = path.resolve(base);
  if (!inside(target, absBase)) return;
  let existing = path.dirname(target);
  while (!exists(existing) && path.dirname(existing) !== existing) existing = path.dirname(existing);
  let real: string;
  let realBase: string;
  try {
    real = realpathSync(existing);
    realBase = realpathSync(absBase);
  } catch (error) {
    throw new OutputFileError(`cannot write ${shown}: cannot resolve the folder ${existing}: ${reason(error)}`);
  }
  if (!inside(real, realBase)) {
    throw new OutputFileError(
      `cannot write ${shown}: the folder ${path.relative(absBase, existing) || '.'} is a symbolic link to ${real}, outside ${absBase}; preadmit does not follow links out of it`,
    );
  }
  try {
    if (!statSync(real).isDirectory()) throw Object.assign(new Error('not a folder'), { code: 'ENOTDIR' });
  } catch (error) {
    throw new OutputFileError(`cannot write ${shown}: ${reason(error)}`);
  }
}

/**
 * Writes `text` to `target` (from prepareOutputFile) through a temporary file and a rename: a symbolic link
 * at `target` is replaced, never followed. `base` repeats the folder check, in case anything changed.
 */
export function writeOutputFile(target: string, text: string, base: string, shown: string = target): void {
  checkFolder(target, base, shown);
  const dir = path.dirname(target);
  const temp = path.join(dir, `.${path.basename(target)}.${randomBytes(6).toString('hex')}.tmp`);
  let fd: number;
  try {
    fd = openSync(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | (constants.O_NOFOLLOW ?? 0), 0o666);
  } catch (error) {
    throw new OutputFileError(`cannot write ${shown}: ${reason(error)}`);
  }
  try {
    const bytes = Buffer.from(text, 'utf8');
    for (let off = 0; off < bytes.length; ) off += writeSync(fd, bytes, off, bytes.length - off);
    closeSync(fd);
    renameSync(temp, target);
  } catch (error) {
    try {
      closeSync(fd);
    } catch {
      // already closed
    }
    try {
      unlinkSync(temp);
    } catch {
      // already gone
    }
    throw new OutputFileError(`cannot write ${shown}: ${reason(error)}`);
  }
}
