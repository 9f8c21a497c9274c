import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseRequest } from '../../../src/primary/control/requests.js';

test('logs and reopen-logs requests: good values are accepted', () => {
  assert.deepEqual(parseRequest('{"id":1,"cmd":"logs","lines":5,"follow":true}'), { request: { id: 1, cmd: 'logs', lines: 5, follow: true } });
  assert.deepEqual(parseRequest('{"id":2,"cmd":"logs"}'), { request: { id: 2, cmd: 'logs', lines: 10, follow: false } });
  assert.deepEqual(parseRequest('{"id":3,"cmd":"reopen-logs"}'), { request: { id: 3, cmd: 'reopen-logs' } });
});

test('logs requests with bad values get ERR_HERD_BAD_REQUEST naming the field', () => {
  for (const [body, field] of [
    ['"lines":-1', 'lines'], ['"lines":1.5', 'lines'], ['"lines":"5"', 'lines'], ['"lines":100001', 'lines'],
    ['"follow":"yes"', 'follow'], ['"follow":1', 'follow'],
  ]) {
    const parsed = parseRequest(`{"id":7,"cmd":"logs",${body}}`);
    assert.ok('error' in parsed, body);
    assert.equal(parsed.id, 7);
    assert.equal(parsed.error.code, 'ERR_HERD_BAD_REQUEST');
    assert.match(parsed.error.message, new RegExp(`\`${field}\` must be`));
  }
});
