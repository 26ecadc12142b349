import Button from '@mui/material/Button';
import Stack from '@mui/material/Stack';
import { useState } from 'react';

/** Cursor pagination: the cursors of the pages behind us, so "Previous" needs no backwards cursor from the API. */
export function useCursorPages() {
  const [stack, setStack] = useState<string[]>([]);
  const cursor = stack.at(-1);
  return {
    cursor,
    page: stack.length + 1,
    next: (nextCursor: string) => setStack((s) => [...s, nextCursor]),
    previous: () => setStack((s) => s.slice(0, -1)),
    reset: () => setStack([]),
  };
}

export function CursorPager({
  page,
  nextCursor,
  onNext,
  onPrevious,
  disabled,
}: {
  page: number;
  nextCursor: string | null | undefined;
  onNext: (cursor: string) => void;
  onPrevious: () => void;
  disabled?: boolean;
}) {
  return (
    <Stack direction="row" spacing={1} sx={{ justifyContent: 'flex-end', alignItems: 'center' }}>
      <Button onClick={onPrevious} disabled={disabled || page === 1}>
        Previous
      </Button>
      <span aria-live="polite">Page {page}</span>
      <Button onClick={() => nextCursor && onNext(nextCursor)} disabled={disabled || !nextCursor}>
        Next
      </Button>
    </Stack>
  );
}
