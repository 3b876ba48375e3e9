/**
 * The built-in simulator is loaded only when it is used (no DISCORD_ACCOUNTS): no module the server
 * or doctor imports statically reaches src/simulator/. Type-only imports and `await import()` do not
 * count (neither loads a module at start).
 */
import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');

function staticImportsOf(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, false);
  const found: string[] = [];
  for (const statement of source.statements) {
    if (!(ts.isImportDeclaration(statement) || ts.isExportDeclaration(statement))) continue;
    const specifier = statement.moduleSpecifier;
    if (!specifier || !ts.isStringLiteral(specifier) || !specifier.text.startsWith('.')) continue;
    if (ts.isImportDeclaration(statement) && loadsNothing(statement.importClause)) continue;
    if (ts.isExportDeclaration(statement) && statement.isTypeOnly) continue;
    found.push(join(dirname(file), specifier.text.replace(/\.js$/, '.ts')));
  }
  return found;
}

/** `import type {…}`, or `import { type A, type B }`: erased from the JavaScript. */
function loadsNothing(clause: ts.ImportClause | undefined): boolean {
  if (!clause) return false;
  if (clause.isTypeOnly) return true;
  const named = clause.namedBindings;
  return (
    !clause.name &&
    named !== undefined &&
    ts.isNamedImports(named) &&
    named.elements.length > 0 &&
    named.elements.every((e) => e.isTypeOnly)
  );
}

function loadedAtStart(entry: string): Set<string> {
  const seen = new Set<string>();
  const pending = [join(ROOT, entry)];
  while (pending.length > 0) {
    const file = pending.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    pending.push(...staticImportsOf(file));
  }
  return new Set([...seen].map((f) => relative(ROOT, f)));
}

it.each(['src/main.ts', 'src/doctor/main.ts'])('%s loads no module of src/simulator/ at start', (entry) => {
  const loaded = loadedAtStart(entry);
  expect(loaded.has('src/services.ts') || loaded.has('src/doctor/runner.ts')).toBe(true);
  expect([...loaded].filter((file) => file.startsWith('src/simulator/'))).toEqual([]);
});
