import { describe, expect, it } from 'vitest';
import { timeRangeError, timeRangeFilter } from './AuditFilterRow';

describe('the audit filters\' time range', () => {
  it('sends only the ends given, as instants', () => {
    expect(timeRangeFilter({ from: '', to: '' })).toEqual({});
    const local = '2026-12-06T08:30';
    expect(timeRangeFilter({ from: local, to: '' })).toEqual({ from: new Date(local).toISOString() });
    expect(timeRangeFilter({ from: '', to: local })).toEqual({ to: new Date(local).toISOString() });
    expect(timeRangeFilter({ from: 'not a time', to: '' })).toEqual({});
  });

  it('wants To after From', () => {
    expect(timeRangeError({ from: '2026-12-06T08:30', to: '2026-12-06T08:30' })).toBe('Must be after “From”.');
    expect(timeRangeError({ from: '2026-12-06T08:30', to: '2026-12-06T09:00' })).toBeUndefined();
    expect(timeRangeError({ from: '', to: '2026-12-06T09:00' })).toBeUndefined();
  });
});
