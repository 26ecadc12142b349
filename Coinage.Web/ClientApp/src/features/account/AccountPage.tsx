import Stack from '@mui/material/Stack';
import Tab from '@mui/material/Tab';
import Tabs from '@mui/material/Tabs';
import Typography from '@mui/material/Typography';
import { Link, Navigate, Route, Routes, useLocation } from 'react-router';
import { ExportDownloadPage } from '../privacy/ExportDownloadPage';
import { PrivacySection } from '../privacy/PrivacySection';
import { ProfileSection } from './ProfileSection';
import { SecuritySection } from './SecuritySection';
import { SessionsSection } from './SessionsSection';

const tabs = [
  { path: '/account', label: 'Profile' },
  { path: '/account/security', label: 'Security' },
  { path: '/account/sessions', label: 'Sessions' },
  { path: '/account/privacy', label: 'Privacy' },
] as const;

export function AccountPage() {
  const { pathname } = useLocation();
  const current = tabs.find((t) => t.path === pathname.replace(/\/$/, ''))?.path ?? false;
  return (
    <Stack spacing={3}>
      <Typography variant="h4" component="h1" sx={{ fontSize: { xs: '1.75rem', sm: '2.125rem' } }}>
        Your account
      </Typography>
      <Tabs value={current} aria-label="Account sections" variant="scrollable" allowScrollButtonsMobile>
        {tabs.map((t) => (
          <Tab key={t.path} label={t.label} value={t.path} component={Link} to={t.path} />
        ))}
      </Tabs>
      <Routes>
        <Route index element={<ProfileSection />} />
        <Route path="security" element={<SecuritySection />} />
        <Route path="sessions" element={<SessionsSection />} />
        <Route path="privacy" element={<PrivacySection />} />
        <Route path="privacy/download" element={<ExportDownloadPage />} />
        <Route path="*" element={<Navigate to="/account" replace />} />
      </Routes>
    </Stack>
  );
}
