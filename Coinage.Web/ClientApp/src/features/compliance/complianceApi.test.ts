import { describe, expect, it } from 'vitest';
import { searchParams } from './complianceApi';

describe('searchParams', () => {
  it('repeats array parameters the way ASP.NET binds them and leaves out empty ones', () => {
    expect(searchParams({ q: 'sign failed', action: ['auth.sign_in_failed', 'order.placed'], cursor: undefined, limit: 50, from: '' }).toString()).toBe(
      'q=sign+failed&action=auth.sign_in_failed&action=order.placed&limit=50',
    );
  });
});
