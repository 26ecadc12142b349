import { createTheme, type Theme } from '@mui/material/styles';
import type { ColorMode } from './colorModeSlice';

// System fonts: no web-font download, and nothing for the CSP to allow beyond 'self'.
const fontFamily = [
  'system-ui',
  '-apple-system',
  '"Segoe UI"',
  'Roboto',
  '"Helvetica Neue"',
  'Arial',
  'sans-serif',
].join(',');

export function createAppTheme(mode: ColorMode): Theme {
  return createTheme({
    palette: {
      mode,
      primary: { main: mode === 'light' ? '#0b5fff' : '#7aa7ff' },
      secondary: { main: mode === 'light' ? '#00897b' : '#4db6ac' },
      // MUI's orange (#ed6c02) is 3.1:1 on white: too faint for the text of warning buttons (Suspend trading, Halt),
      // which axe-core flags (WCAG 1.4.3). This amber is 5.0:1 on white and keeps white text on a filled button.
      ...(mode === 'light' && { warning: { main: '#b45309' } }),
      ...(mode === 'dark' && { background: { default: '#0d1117', paper: '#161b22' } }),
      // MUI's dark red (#f44336) is 4.1:1 on a hovered grid row (#22262d): too faint for the text of error buttons
      // (Lock, Remove), which axe-core flags. This red is 5.5:1 there and 6.4:1 on the paper.
      ...(mode === 'dark' && { error: { main: '#ff6b6b' } }),
    },
    typography: { fontFamily },
    shape: { borderRadius: 10 },
  });
}
