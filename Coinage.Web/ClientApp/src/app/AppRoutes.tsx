import Box from '@mui/material/Box';
import CircularProgress from '@mui/material/CircularProgress';
import { lazy, Suspense } from 'react';
import { Route, Routes } from 'react-router';
import { ForgotPasswordPage } from '../features/auth/ForgotPasswordPage';
import { GuestOnly, PasswordChangeGate, RequireAuth } from '../features/auth/guards';
import { ResetPasswordPage } from '../features/auth/ResetPasswordPage';
import { SignInPage } from '../features/auth/SignInPage';
import { SignUpPage } from '../features/auth/SignUpPage';
import { VerifyEmailPage } from '../features/auth/VerifyEmailPage';
import { roles } from '../features/auth/authSlice';
import { StatusPage } from '../features/status/StatusPage';
import { HomePage } from '../home/HomePage';
import { AppShell } from './AppShell';
import { NotFoundPage } from './NotFoundPage';

// Signed-in and staff pages load on first visit: a visitor downloads only the public pages.
const AccountPage = lazy(() => import('../features/account/AccountPage').then((m) => ({ default: m.AccountPage })));
const UsersPage = lazy(() => import('../features/admin/UsersPage').then((m) => ({ default: m.UsersPage })));
const AuditLogPage = lazy(() => import('../features/admin/AuditLogPage').then((m) => ({ default: m.AuditLogPage })));
const MarketsPage = lazy(() => import('../features/markets/MarketsPage').then((m) => ({ default: m.MarketsPage })));
const TradePage = lazy(() => import('../features/trade/TradePage').then((m) => ({ default: m.TradePage })));
const ReconciliationPage = lazy(() => import('../features/admin/ReconciliationPage').then((m) => ({ default: m.ReconciliationPage })));
const WalletPage = lazy(() => import('../features/wallet/WalletPage').then((m) => ({ default: m.WalletPage })));
const ConfirmWithdrawalPage = lazy(() => import('../features/wallet/ConfirmWithdrawalPage').then((m) => ({ default: m.ConfirmWithdrawalPage })));
const MarketsAdminPage = lazy(() => import('../features/admin/MarketsAdminPage').then((m) => ({ default: m.MarketsAdminPage })));
const FundingAdminPage = lazy(() => import('../features/admin/FundingAdminPage').then((m) => ({ default: m.FundingAdminPage })));
const AuditSearchPage = lazy(() => import('../features/compliance/AuditSearchPage').then((m) => ({ default: m.AuditSearchPage })));
const HangfireSignInPage = lazy(() => import('../features/admin/HangfireSignInPage').then((m) => ({ default: m.HangfireSignInPage })));
const HistoryPage = lazy(() => import('../features/history/HistoryPage').then((m) => ({ default: m.HistoryPage })));

function PageLoading() {
  return (
    <Box sx={{ py: 4 }}>
      <CircularProgress size={28} aria-label="Loading the page" />
    </Box>
  );
}

/**
 * Only what the API offers today: markets, trading and the wallet get their routes with their API.
 * The email links point here: /verify-email and /reset-password (?userId=…&token=…).
 */
export function AppRoutes() {
  return (
    <Suspense fallback={<PageLoading />}>
    <Routes>
      <Route element={<AppShell />}>
        <Route element={<PasswordChangeGate />}>
          <Route index element={<HomePage />} />
          <Route element={<GuestOnly />}>
            <Route path="sign-in" element={<SignInPage />} />
            <Route path="sign-up" element={<SignUpPage />} />
            <Route path="forgot-password" element={<ForgotPasswordPage />} />
          </Route>
          <Route path="verify-email" element={<VerifyEmailPage />} />
          <Route path="reset-password" element={<ResetPasswordPage />} />
          <Route path="status" element={<StatusPage />} />
          <Route path="markets" element={<MarketsPage />} />
          <Route path="trade/:symbol" element={<TradePage />} />
          <Route element={<RequireAuth />}>
            <Route path="account/*" element={<AccountPage />} />
            <Route path="wallet" element={<WalletPage />} />
            <Route path="wallet/withdrawals/confirm" element={<ConfirmWithdrawalPage />} />
            <Route path="history" element={<HistoryPage />} />
          </Route>
          <Route element={<RequireAuth anyRole={[roles.support, roles.admin]} />}>
            <Route path="admin/users" element={<UsersPage />} />
          </Route>
          <Route element={<RequireAuth anyRole={[roles.compliance, roles.admin]} />}>
            <Route path="admin/audit" element={<AuditLogPage />} />
            <Route path="admin/audit-search" element={<AuditSearchPage />} />
          </Route>
          <Route element={<RequireAuth anyRole={[roles.admin]} />}>
            <Route path="admin/reconciliation" element={<ReconciliationPage />} />
            <Route path="admin/markets" element={<MarketsAdminPage />} />
            <Route path="admin/funding" element={<FundingAdminPage />} />
            {/* The Worker's /hangfire sends browsers without a ticket here (DashboardAccess.SignInPagePath). */}
            <Route path="admin/hangfire" element={<HangfireSignInPage />} />
          </Route>
          <Route path="*" element={<NotFoundPage />} />
        </Route>
      </Route>
    </Routes>
    </Suspense>
  );
}
