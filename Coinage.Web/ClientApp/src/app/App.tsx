import { useEffect } from 'react';
import { BrowserRouter } from 'react-router';
import { StepUpDialog } from '../features/auth/StepUpDialog';
import { ToastProvider } from '../notifications/Toasts';
import { TradeNotifications } from '../notifications/TradeNotifications';
import { AppRoutes } from './AppRoutes';
import { AppThemeProvider } from './AppThemeProvider';
import { useSession } from './hooks';

export function App() {
  const session = useSession();
  // A reload keeps no token (memory only): the HttpOnly refresh cookie, if any, restores the session.
  useEffect(() => {
    void session.restore();
  }, [session]);

  return (
    <AppThemeProvider>
      <ToastProvider>
        <TradeNotifications />
        <StepUpDialog />
        <BrowserRouter>
          <AppRoutes />
        </BrowserRouter>
      </ToastProvider>
    </AppThemeProvider>
  );
}
