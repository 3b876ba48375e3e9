// Summarises .cpuprofile files (bench/cpu-profile-hook.mjs) by self and inclusive time, per module
// (a package, a src/ file, a node: module) and per function, idle samples left out:
//   node bench/profile-summary.mjs [--from-sec N] [--to-sec N] [--top N] /tmp/prof/server-*.cpuprofile
// --from-sec/--to-sec keep the samples of that window of each profile (seconds from its start; a
// server's start-up and the benchmark's tail are usually not what is wanted). The profiler samples
// wall-clock time: on a saturated machine, native frames (syscalls) also carry the time the process
// waited for a core.
import { readFileSync } from 'node:fs';

const args = process.argv.slice(2);
let from = 0;
let to = Infinity;
let top = 40;
const files = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--from-sec') from = Number(args[++i]);
  else if (args[i] === '--to-sec') to = Number(args[++i]);
  else if (args[i] === '--top') top = Number(args[++i]);
  else files.push(args[i]);
}

const moduleOf = (url) => {
  if (!url) return '(native)';
  const path = url.replace(/^file:\/\//, '');
  const nm = path.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const [scope, name] = path.slice(nm + 13).split('/');
    return scope.startsWith('@') ? `${scope}/${name}` : scope;
  }
  for (const dir of ['/src/', '/bench/', '/test/']) if (path.includes(dir)) return path.slice(path.indexOf(dir) + 1);
  return path.startsWith('node:') ? path.split('/')[0] : path;
};
const add = (map, key, us) => map.set(key, (map.get(key) ?? 0) + us);
const self = new Map();
const selfModule = new Map();
const inclusive = new Map();
const inclusiveModule = new Map();
let total = 0;

for (const file of files) {
  const profile = JSON.parse(readFileSync(file, 'utf8'));
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  let t = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    t += profile.timeDeltas[i];
    const at = (t - profile.startTime) / 1e6;
    if (at < from || at > to) continue;
    const node = nodes.get(profile.samples[i]);
    if (node.callFrame.functionName === '(idle)') continue;
    const us = profile.timeDeltas[i + 1] ?? profile.timeDeltas[i];
    total += us;
    const name = (f) => `${f.functionName || '(anonymous)'} ${moduleOf(f.url)}:${f.lineNumber + 1}`;
    add(self, name(node.callFrame), us);
    add(selfModule, moduleOf(node.callFrame.url), us);
    const seen = new Set();
    const seenModules = new Set();
    for (let id = node.id; id !== undefined; id = parent.get(id)) {
      const frame = nodes.get(id).callFrame;
      const key = name(frame);
      const mod = moduleOf(frame.url);
      if (!seen.has(key)) {
        seen.add(key);
        add(inclusive, key, us);
      }
      if (!seenModules.has(mod)) {
        seenModules.add(mod);
        add(inclusiveModule, mod, us);
      }
    }
  }
}

const print = (title, map) => {
  console.log(`\n== ${title} (of ${(total / 1e6).toFixed(2)} s sampled)`);
  for (const [key, us] of [...map].sort((a, b) => b[1] - a[1]).slice(0, top))
    console.log(`${(us / 1e6).toFixed(2).padStart(8)} s ${((100 * us) / total).toFixed(1).padStart(5)} %  ${key}`);
};
print('self time by module', selfModule);
print('self time by function', self);
print('inclusive time by module', inclusiveModule);
print('inclusive time by function', inclusive);
