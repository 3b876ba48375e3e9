// `npm run check:cycles`, after madge's file-level check: the same import graph collapsed to the
// folders of src/ (src/<folder>/** is one node, each file directly in src/ is its own), failing on
// any cycle between them. Type-only imports count: they tie the folders together just the same.
import madge from 'madge';

const nodeOf = (file) => (file.includes('/') ? file.slice(0, file.indexOf('/')) : file.replace(/\.ts$/, ''));

/** Folder → folder → the file imports behind that edge. */
function folderGraph(files) {
  const edges = new Map();
  for (const [file, deps] of Object.entries(files)) {
    for (const dep of deps) {
      const from = nodeOf(file);
      const to = nodeOf(dep);
      if (from === to) continue;
      if (!edges.has(from)) edges.set(from, new Map());
      const out = edges.get(from);
      if (!out.has(to)) out.set(to, []);
      out.get(to).push(`${file} -> ${dep}`);
    }
  }
  return edges;
}

/** Strongly connected components of more than one node (Tarjan). */
function cycles(edges) {
  const index = new Map();
  const low = new Map();
  const stack = [];
  const onStack = new Set();
  const found = [];
  let next = 0;
  const visit = (node) => {
    index.set(node, next);
    low.set(node, next);
    next++;
    stack.push(node);
    onStack.add(node);
    for (const to of edges.get(node)?.keys() ?? []) {
      if (!index.has(to)) {
        visit(to);
        low.set(node, Math.min(low.get(node), low.get(to)));
      } else if (onStack.has(to)) low.set(node, Math.min(low.get(node), index.get(to)));
    }
    if (low.get(node) !== index.get(node)) return;
    const component = [];
    let member;
    do {
      member = stack.pop();
      onStack.delete(member);
      component.push(member);
    } while (member !== node);
    if (component.length > 1) found.push(component.sort());
  };
  for (const node of edges.keys()) if (!index.has(node)) visit(node);
  return found;
}

const result = await madge('src', { fileExtensions: ['ts'], tsConfig: 'tsconfig.json' });
const edges = folderGraph(result.obj());
const failing = cycles(edges);
if (failing.length === 0) {
  console.log('folder cycles: none in src/');
} else {
  for (const component of failing) {
    console.error(`folder cycle: ${component.join(' ⇄ ')}`);
    for (const from of component) {
      for (const [to, imports] of edges.get(from) ?? []) {
        if (component.includes(to)) for (const line of imports) console.error(`  ${line}`);
      }
    }
  }
  process.exitCode = 1;
}
