import fs from 'node:fs';
import path from 'node:path';

/** The project's root folder, found from this file whether it runs from the sources or from `dist/`. */
export const projectRoot: string = findRoot(__dirname);

/** Folders of text and templates, read at start. */
export const paths = Object.freeze({
  locales: path.join(projectRoot, 'locales'),
  prompts: path.join(projectRoot, 'prompts'),
});

function findRoot(start: string): string {
  let dir = start;
  for (;;) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`package.json not found above ${start}`);
    dir = parent;
  }
}
