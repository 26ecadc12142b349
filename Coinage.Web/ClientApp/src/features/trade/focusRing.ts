import type { Theme } from '@mui/material/styles';

/**
 * The outline a keyboard user follows through the terminal's panels (ticket, book, tape, orders): inside the element,
 * so a panel's overflow never clips it, and in the primary colour of either theme.
 */
export const focusRing = (theme: Theme) => ({ outline: `2px solid ${theme.palette.primary.main}`, outlineOffset: -2 }) as const;
