import Button from '@mui/material/Button';
import Stack from '@mui/material/Stack';

// The cursor stack is the one of the shared table (src/table), so both page the API the same way.
export { useCursorPages } from '../../table/cursorPages';

/**
 * Previous/next buttons for a cursor list outside the shared DataTable: the trade page's compact order panels
 * (features/trade), which keep their own layout. Every list page uses src/table/DataTable instead.
 */
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
