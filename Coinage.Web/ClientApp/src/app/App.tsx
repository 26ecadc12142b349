import { HomePage } from '../home/HomePage';
import { AppShell } from './AppShell';
import { AppThemeProvider } from './AppThemeProvider';

export function App() {
  return (
    <AppThemeProvider>
      <AppShell>
        <HomePage />
      </AppShell>
    </AppThemeProvider>
  );
}
