// Shared by the huskyvoice-core client tests.
import assert from 'node:assert/strict';

/**
 * An assertion that `promise` rejects with the client's own error: a real Error with `code`, a
 * message matching `fragment` (when given), and none of `secrets` in it.
 */
export const rejectsWithCode = (secrets) => (promise, code, fragment) =>
  assert.rejects(promise, (e) => {
    assert.ok(e instanceof Error, 'a real Error');
    assert.equal(e.code, code, e.message);
    if (fragment) assert.match(e.message, fragment);
    assert.ok(secrets.every((s) => !e.message.includes(s)), 'no secret in the message');
    return true;
  });
