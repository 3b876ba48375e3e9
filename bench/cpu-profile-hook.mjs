// Preload for profiling a server process (NODE_OPTIONS does not allow --cpu-prof):
//   BENCH_SERVER_NODE_OPTIONS="--import ./bench/cpu-profile-hook.mjs" BENCH_PROFILE_DIR=/tmp/prof npm run bench -- P6
// Writes <dir>/<BENCH_PROFILE_NAME or server>-<pid>.cpuprofile when the process exits (the simulator: BENCH_SIM_NODE_OPTIONS).
import { Session } from 'node:inspector';
import { mkdirSync, writeFileSync } from 'node:fs';

const dir = process.env.BENCH_PROFILE_DIR ?? '/tmp/picsi-bench-prof';
const session = new Session();
session.connect();
session.post('Profiler.enable');
session.post('Profiler.setSamplingInterval', { interval: 500 });
session.post('Profiler.start');
process.on('exit', () => {
  session.post('Profiler.stop', (error, result) => {
    if (error) return;
    mkdirSync(dir, { recursive: true });
    writeFileSync(`${dir}/${process.env.BENCH_PROFILE_NAME ?? 'server'}-${process.pid}.cpuprofile`, JSON.stringify(result.profile));
  });
});
