// The parts of a test runner (tests/e2e/run.mjs, tests/queue/run.mjs): timed setup steps, and
// the test process as a child that Ctrl-C and SIGTERM reach.
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';

/** `step(label, fn)` runs `fn`, then says how long it took via `say`. */
export function timedSteps(say) {
  return async function step(label, fn) {
    const ts = performance.now();
    try {
      const r = await fn();
      say(`${label}: ${((performance.now() - ts) / 1000).toFixed(1)} s`);
      return r;
    } catch (e) {
      say(`FAILED at "${label}":\n${e.message}`);
      process.exit(1);
    }
  };
}

/** Runs `node ...args` with the terminal's stdio, passing on SIGINT/SIGTERM; resolves its exit code. */
export function runChild(args, env) {
  return new Promise((resolve) => {
    const c = spawn(process.execPath, args, { stdio: 'inherit', env });
    const forward = (sig) => () => c.kill(sig);
    const onInt = forward('SIGINT');
    const onTerm = forward('SIGTERM');
    process.on('SIGINT', onInt);
    process.on('SIGTERM', onTerm);
    c.on('exit', (code, signal) => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      resolve(code ?? (signal ? 1 : 0));
    });
  });
}
