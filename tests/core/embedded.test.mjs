// The embedded form the n8n node ships: same behaviour, and none of the constructs n8n's
// community-package rules forbid.
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import defineSuite from './suite.cjs';

const require = createRequire(import.meta.url);
const path = require.resolve('huskyvoice-core/embedded');
defineSuite(require(path), 'embedded');

test('embedded glue uses no banned global, import or dynamic code', () => {
  const src = readFileSync(path, 'utf8');
  for (const banned of [/\brequire\s*\(/, /\bprocess\b/, /\b__dirname\b/, /\b__filename\b/, /\bglobalThis\b/, /\bglobal\b/, /\bsetTimeout\b/, /\bsetInterval\b/, /\bsetImmediate\b/, /\bconsole\b/, /\beval\s*\(/, /new Function/, /\bBuffer\b/]) {
    assert.doesNotMatch(src, banned);
  }
});
