// Diagnostic preload: a full GC every 3 s in a server process, so that RSS samples show what is retained
// rather than garbage awaiting a major GC (P9's RSS growth swings by ±20 % without it when the servers are
// lightly loaded):   BENCH_SERVER_NODE_OPTIONS="--import ./bench/gc-hook.mjs" npm run bench -- P9
import v8 from 'node:v8';
import vm from 'node:vm';
v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc');
setInterval(() => gc(), 3000).unref();
