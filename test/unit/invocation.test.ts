import { describe, expect, it } from 'vitest';
import { cliCommand, invokedAs } from '../../src/engine/invocation.js';

describe('the command as the person ran it', () => {
  it('is npm start -- under npm start', () => {
    expect(invokedAs({ npm_lifecycle_event: 'start' })).toBe('npm start --');
    expect(cliCommand('check --step a.b', { npm_lifecycle_event: 'start' })).toBe('npm start -- check --step a.b');
  });
  it('is secure-start otherwise (installed, npx, or npm test)', () => {
    expect(invokedAs({})).toBe('secure-start');
    expect(invokedAs({ npm_lifecycle_event: 'test' })).toBe('secure-start');
    expect(cliCommand('', {})).toBe('secure-start');
  });
});
