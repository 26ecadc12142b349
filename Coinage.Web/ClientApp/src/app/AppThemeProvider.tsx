import CssBaseline from '@mui/material/CssBaseline';
import { ThemeProvider } from '@mui/material/styles';
import { type ReactNode, useMemo } from 'react';
import { selectColorMode } from '../theme/colorModeSlice';
import { createAppTheme } from '../theme/theme';
import { useAppSelector } from './hooks';

export function AppThemeProvider({ children }: { children: ReactNode }) {
  const mode = useAppSelector(selectColorMode);
  const theme = useMemo(() => createAppTheme(mode), [mode]);
  return (
    <ThemeProvider theme={theme}>
      <CssBaseline enableColorScheme />
      {children}
    </ThemeProvider>
  );
}
