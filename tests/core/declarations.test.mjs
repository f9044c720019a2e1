// The generated TypeScript declarations must not fall back to `any` anywhere.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import assert from 'node:assert/strict';

const require = createRequire(import.meta.url);

test('declarations of both forms contain no any', () => {
  for (const entry of ['huskyvoice-core', 'huskyvoice-core/embedded']) {
    const js = require.resolve(entry);
    const dts = readFileSync(js.replace(/\.js$/, '.d.ts'), 'utf8');
    assert.doesNotMatch(dts, /\bany\b/, `${entry} declarations use any`);
    for (const name of ['validateCallId', 'buildCancelRequest', 'buildCancelRequests', 'interpretCancelResponse', 'retryDelayMs', 'redactSecrets']) {
      assert.match(dts, new RegExp(`export function ${name}\\(`), name);
    }
  }
});
