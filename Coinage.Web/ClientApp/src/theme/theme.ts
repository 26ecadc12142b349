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
      ...(mode === 'dark' && { background: { default: '#0d1117', paper: '#161b22' } }),
    },
    typography: { fontFamily },
    shape: { borderRadius: 10 },
  });
}
