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
    },
    typography: { fontFamily },
    shape: { borderRadius: 10 },
  });
}
