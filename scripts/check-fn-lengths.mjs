// `npm run check:fn-lengths` (part of `npm run lint`): every function in src/ over MAX_LINES lines,
// found with the TypeScript compiler's parser. One over the limit fails unless
// scripts/fn-length-allowlist.json names it, and an allowlisted one fails when it grew. The list
// only shrinks: an entry whose function got shorter or is gone fails too, until `--update` lowers
// or removes it (it never adds one).
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';

const MAX_LINES = 80;
const ROOT = join(import.meta.dirname, '..');
const ALLOWLIST = join(import.meta.dirname, 'fn-length-allowlist.json');
const EXTENSIONS = /\.(ts|mts|js|mjs)$/;

function sourceFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return EXTENSIONS.test(entry.name) && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

const isFunction = (node) =>
  ts.isFunctionDeclaration(node) ||
  ts.isFunctionExpression(node) ||
  ts.isArrowFunction(node) ||
  ts.isMethodDeclaration(node) ||
  ts.isConstructorDeclaration(node) ||
  ts.isGetAccessorDeclaration(node) ||
  ts.isSetAccessorDeclaration(node);

const nameText = (name) =>
  name && (ts.isIdentifier(name) || ts.isStringLiteral(name) || ts.isPrivateIdentifier(name)) ? name.text : undefined;

/** A function's own name: declared, or the variable, property or class member it is assigned to. */
function ownName(node) {
  if (ts.isConstructorDeclaration(node)) return 'constructor';
  const declared = nameText(node.name);
  if (declared) return declared;
  const parent = node.parent;
  if (ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent)) return nameText(parent.name);
  if (ts.isExportAssignment(parent)) return 'default';
  return undefined;
}

/** Every function of one file with its dotted name (enclosing named functions and classes first) and its length in lines. */
function functionsOf(file) {
  const text = readFileSync(file, 'utf8');
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, file.endsWith('js') ? ts.ScriptKind.JS : ts.ScriptKind.TS);
  const found = [];
  const visit = (node, scope) => {
    let inner = scope;
    if (ts.isClassDeclaration(node) || ts.isClassExpression(node)) inner = [...scope, nameText(node.name) ?? '<class>'];
    if (isFunction(node)) {
      const anonymous = `<anonymous:${found.filter((f) => f.anonymous && f.scope === scope.join('.')).length + 1}>`;
      const own = ownName(node);
      inner = [...scope, own ?? anonymous];
      const line = (pos) => source.getLineAndCharacterOfPosition(pos).line;
      const start = line(node.getStart(source));
      found.push({
        name: inner.join('.'),
        scope: scope.join('.'),
        anonymous: !own,
        line: start + 1,
        lines: line(node.getEnd()) - start + 1,
      });
    }
    ts.forEachChild(node, (child) => visit(child, inner));
  };
  visit(source, []);
  return found;
}

function measure() {
  const lengths = {};
  for (const file of sourceFiles(join(ROOT, 'src')).sort()) {
    const path = relative(ROOT, file);
    for (const fn of functionsOf(file)) {
      if (fn.lines <= MAX_LINES) continue;
      lengths[path] ??= {};
      // Two functions of one name in one file: the longer one counts.
      lengths[path][fn.name] = Math.max(lengths[path][fn.name] ?? 0, fn.lines);
    }
  }
  return lengths;
}

function compare(lengths, allowed) {
  const problems = [];
  for (const [file, fns] of Object.entries(lengths)) {
    for (const [name, lines] of Object.entries(fns)) {
      const limit = allowed[file]?.[name];
      if (limit === undefined) problems.push(`${file}: ${name} has ${lines} lines (the limit is ${MAX_LINES}): split it`);
      else if (lines > limit) problems.push(`${file}: ${name} grew to ${lines} lines (allowlisted at ${limit}): shorten it`);
    }
  }
  for (const [file, fns] of Object.entries(allowed)) {
    for (const [name, limit] of Object.entries(fns)) {
      const lines = lengths[file]?.[name];
      if (lines === undefined)
        problems.push(`${file}: ${name} is allowlisted (${limit}) but no longer over ${MAX_LINES} lines: remove it (--update)`);
      else if (lines < limit) problems.push(`${file}: ${name} shrank to ${lines} lines (allowlisted at ${limit}): lower it (--update)`);
    }
  }
  return problems;
}

/** The allowlist with stale entries removed and the others lowered to today's lengths; nothing added. */
function shrunk(lengths, allowed) {
  const next = {};
  for (const [file, fns] of Object.entries(allowed)) {
    for (const [name, limit] of Object.entries(fns)) {
      const lines = lengths[file]?.[name];
      if (lines === undefined) continue;
      next[file] ??= {};
      next[file][name] = Math.min(lines, limit);
    }
  }
  return next;
}

const lengths = measure();
const allowed = JSON.parse(readFileSync(ALLOWLIST, 'utf8'));
delete allowed.$comment;
if (process.argv.includes('--update')) {
  const comment = JSON.parse(readFileSync(ALLOWLIST, 'utf8')).$comment;
  writeFileSync(ALLOWLIST, `${JSON.stringify({ $comment: comment, ...shrunk(lengths, allowed) }, null, 2)}\n`);
}
if (process.argv.includes('--list')) console.log(JSON.stringify(lengths, null, 2));
const problems = compare(lengths, process.argv.includes('--update') ? shrunk(lengths, allowed) : allowed);
const over = Object.values(lengths).reduce((n, fns) => n + Object.keys(fns).length, 0);
if (problems.length > 0) {
  console.error(`check-fn-lengths: ${problems.length} problem(s):\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log(`check-fn-lengths: no function in src/ over ${MAX_LINES} lines outside the allowlist (${over} allowlisted)`);
