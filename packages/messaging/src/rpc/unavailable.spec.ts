import { describe, expect, it } from '@jest/globals';
import { unavailableError } from './unavailable';

const pgError = (code: string, message = 'x') => Object.assign(new Error(message), { code });

describe('unavailableError', () => {
  it('is UNAVAILABLE for a database that cannot serve now', () => {
    for (const error of [
      pgError('53300', 'sorry, too many clients already'),
      pgError('57P03', 'the database system is starting up'),
      pgError('08006'),
      pgError('ECONNREFUSED'),
      new Error('timeout exceeded when trying to connect'),
      new Error('Connection terminated unexpectedly'),
    ])
      expect(unavailableError(error)).toMatchObject({ code: 'UNAVAILABLE' });
  });

  it('is null for anything else, which stays an internal error', () => {
    for (const error of [
      pgError('23505', 'duplicate key value'),
      pgError('42P01', 'relation does not exist'),
      new Error('boom'),
      'text',
      null,
    ])
      expect(unavailableError(error)).toBeNull();
  });
});
