import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import TextField, { type TextFieldProps } from '@mui/material/TextField';
import type { FormEvent, ReactNode } from 'react';

/** The time range of an audit filter as typed: `<input type="datetime-local">`, local time without a zone. */
export type AuditTimeRangeValues = {
  from: string;
  to: string;
};

/** The part of the page's `useForm` the row needs: the From and To fields' bindings. */
type TimeRangeForm = { text: (name: 'from' | 'to') => TextFieldProps };

/** "To" must come after "From" (either may be left empty). */
export function timeRangeError({ from, to }: AuditTimeRangeValues): string | undefined {
  return from && to && to <= from ? 'Must be after “From”.' : undefined;
}

/** The range as the API wants it: instants (ISO 8601, UTC), only the ends that were given. */
export function timeRangeFilter({ from, to }: AuditTimeRangeValues): { from?: string; to?: string } {
  const start = toIso(from);
  const end = toIso(to);
  return { ...(start !== undefined && { from: start }), ...(end !== undefined && { to: end }) };
}

function toIso(local: string): string | undefined {
  if (!local) {
    return undefined;
  }
  const date = new Date(local);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

/**
 * The filter row above an audit list (Admin's audit log, Compliance's audit search): the page's own fields, then
 * From and To, then the submit button, in one responsive grid. `columns` sizes the page's fields at desktop width.
 */
export function AuditFilterRow({
  label,
  submitLabel,
  form,
  onSubmit,
  columns,
  children,
}: {
  label: string;
  submitLabel: string;
  form: TimeRangeForm;
  onSubmit: (event: FormEvent) => void;
  /** The desktop grid template of the page's fields, e.g. `1fr 1fr` or `2fr`. */
  columns: string;
  children: ReactNode;
}) {
  return (
    <Box
      component="form"
      noValidate
      onSubmit={onSubmit}
      aria-label={label}
      sx={{ display: 'grid', gap: 1, gridTemplateColumns: { xs: '1fr', sm: '1fr 1fr', md: `${columns} 1fr 1fr auto` }, alignItems: 'start' }}
    >
      {children}
      <TextField {...form.text('from')} label="From" type="datetime-local" size="small" slotProps={{ inputLabel: { shrink: true } }} />
      <TextField {...form.text('to')} label="To" type="datetime-local" size="small" slotProps={{ inputLabel: { shrink: true } }} />
      <Button type="submit" variant="contained">
        {submitLabel}
      </Button>
    </Box>
  );
}
