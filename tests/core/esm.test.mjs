// The package as an ESM user loads it, by named and default import.
import * as named from 'huskyvoice-core';
import defaultExport from 'huskyvoice-core';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import defineSuite from './suite.cjs';

defineSuite(named, 'import');
test('default export matches the named exports', () => {
  assert.equal(defaultExport.validateCallId, named.validateCallId);
});
