import MenuIcon from '@mui/icons-material/Menu';
import AppBar from '@mui/material/AppBar';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Container from '@mui/material/Container';
import Divider from '@mui/material/Divider';
import Drawer from '@mui/material/Drawer';
import IconButton from '@mui/material/IconButton';
import MuiLink from '@mui/material/Link';
import List from '@mui/material/List';
import ListItemButton from '@mui/material/ListItemButton';
import ListItemText from '@mui/material/ListItemText';
import Toolbar from '@mui/material/Toolbar';
import Typography from '@mui/material/Typography';
import { useEffect, useState } from 'react';
import { Link, Outlet, useLocation, useNavigate } from 'react-router';
import { TwoFactorBanner } from '../features/account/TwoFactorBanner';
import { hasAnyRole, roles, selectRoles, selectSessionNotice, selectSessionStatus } from '../features/auth/authSlice';
import { lastMarket } from '../features/trade/lastMarket';
import { ConnectionBanner } from '../realtime/ConnectionBanner';
import { ColorModeToggle } from '../theme/ColorModeToggle';
import { useAppSelector, useSession } from './hooks';

interface NavItem {
  to: string;
  label: string;
  /** Current on every page under this path (the Trade link on any market), not only on `to`. */
  section?: string;
}

const tradeSection = '/trade/';

function isCurrent(item: NavItem, pathname: string): boolean {
  if (item.section) return pathname.startsWith(item.section);
  return item.to === '/' ? pathname === '/' : pathname === item.to || pathname.startsWith(`${item.to}/`);
}

/** What the navigation offers: only pages that exist, and only those the user may open. */
function useNavItems(pathname: string): NavItem[] {
  const status = useAppSelector(selectSessionStatus);
  const userRoles = useAppSelector(selectRoles);
  const items: NavItem[] = [
    { to: '/', label: 'Home' },
    { to: '/markets', label: 'Markets' },
    // On a trade page: that market; elsewhere the last one traded (read again on every navigation).
    { to: pathname.startsWith(tradeSection) ? pathname : `${tradeSection}${lastMarket()}`, label: 'Trade', section: tradeSection },
  ];
  if (status === 'signedIn') {
    items.push({ to: '/wallet', label: 'Wallet' });
    items.push({ to: '/account', label: 'Account' });
    items.push({ to: '/history', label: 'History' });
    if (hasAnyRole(userRoles, roles.support, roles.admin)) {
      items.push({ to: '/admin/users', label: 'Users' });
    }
    if (hasAnyRole(userRoles, roles.compliance, roles.admin)) {
      items.push({ to: '/admin/audit', label: 'Audit log' });
      items.push({ to: '/admin/audit-search', label: 'Audit search' });
    }
    if (hasAnyRole(userRoles, roles.admin)) {
      items.push({ to: '/admin/reconciliation', label: 'Reconciliation' });
      items.push({ to: '/admin/markets', label: 'Manage markets' }, { to: '/admin/funding', label: 'Funding' });
    }
  } else if (status === 'signedOut') {
    items.push({ to: '/sign-in', label: 'Sign in' }, { to: '/sign-up', label: 'Sign up' });
  }
  return items;
}

/** Sends the user to sign-in, with the reason, when the session ends without them asking. */
function SessionWatcher() {
  const notice = useAppSelector(selectSessionNotice);
  const navigate = useNavigate();
  const location = useLocation();
  useEffect(() => {
    if (notice && location.pathname !== '/sign-in') {
      void navigate('/sign-in', { replace: true, state: { from: location.pathname + location.search } });
    }
  }, [notice, location.pathname, location.search, navigate]);
  return null;
}

/** The platform's status is one click away on every page, and out of the way of the trading pages. */
function Footer() {
  return (
    <Box component="footer" sx={{ mt: 'auto' }}>
      <Divider />
      <Container maxWidth="lg" sx={{ py: 2, px: { xs: 2, sm: 3 }, display: 'flex', gap: 3, flexWrap: 'wrap' }}>
        <Box component="nav" aria-label="Footer" sx={{ display: 'flex', gap: 2 }}>
          <MuiLink component={Link} to="/status" variant="body2">
            Platform status
          </MuiLink>
        </Box>
      </Container>
    </Box>
  );
}

/**
 * The frame every page sits in: the top bar with the navigation and a centred, responsive content column; a trade
 * page is a terminal instead, as wide as the window and, at desktop widths, exactly as tall (it lays out its own
 * panels to fit, docs/frontend.md).
 */
export function AppShell() {
  const { pathname } = useLocation();
  const terminal = pathname.startsWith(tradeSection);
  const items = useNavItems(pathname);
  const status = useAppSelector(selectSessionStatus);
  const session = useSession();
  const navigate = useNavigate();
  const [drawerOpen, setDrawerOpen] = useState(false);

  async function signOut() {
    setDrawerOpen(false);
    await session.logout();
    void navigate('/');
  }

  return (
    <Box sx={{ display: 'flex', flexDirection: 'column', minHeight: '100vh', ...(terminal && { height: { lg: '100dvh' } }) }}>
      <SessionWatcher />
      <AppBar position="sticky" elevation={0} enableColorOnDark>
        <Toolbar sx={{ gap: 1 }}>
          <IconButton
            color="inherit"
            edge="start"
            aria-label="Open navigation"
            onClick={() => setDrawerOpen(true)}
            sx={{ display: { xs: 'inline-flex', md: 'none' } }}
          >
            <MenuIcon />
          </IconButton>
          <Typography
            variant="h6"
            component={Link}
            to="/"
            sx={{ fontWeight: 700, letterSpacing: 0.5, color: 'inherit', textDecoration: 'none', mr: 2 }}
          >
            Coinage
          </Typography>
          <Box component="nav" aria-label="Main" sx={{ display: { xs: 'none', md: 'flex' }, gap: 0.5, flexGrow: 1 }}>
            {items.map((item) => (
              <Button
                key={item.label}
                component={Link}
                to={item.to}
                aria-current={isCurrent(item, pathname) ? 'page' : undefined}
                color="inherit"
                // Darker, not lighter, and underlined: a lighter background took white text under 4.5:1 (axe color-contrast).
                sx={{ '&[aria-current="page"]': { bgcolor: 'rgba(0,0,0,0.2)', boxShadow: 'inset 0 -2px 0 currentColor' } }}
              >
                {item.label}
              </Button>
            ))}
          </Box>
          <Box sx={{ flexGrow: { xs: 1, md: 0 } }} />
          {status === 'signedIn' && (
            <Button color="inherit" onClick={() => void signOut()} sx={{ display: { xs: 'none', md: 'inline-flex' } }}>
              Sign out
            </Button>
          )}
          <ColorModeToggle />
        </Toolbar>
      </AppBar>
      <ConnectionBanner />
      <TwoFactorBanner />
      <Drawer open={drawerOpen} onClose={() => setDrawerOpen(false)}>
        <Box component="nav" aria-label="Main" sx={{ width: 240 }}>
          <List>
            {items.map((item) => (
              <ListItemButton
                key={item.label}
                component={Link}
                to={item.to}
                aria-current={isCurrent(item, pathname) ? 'page' : undefined}
                selected={isCurrent(item, pathname)}
                onClick={() => setDrawerOpen(false)}
              >
                <ListItemText primary={item.label} />
              </ListItemButton>
            ))}
            {status === 'signedIn' && (
              <ListItemButton onClick={() => void signOut()}>
                <ListItemText primary="Sign out" />
              </ListItemButton>
            )}
          </List>
        </Box>
      </Drawer>
      <Container
        component="main"
        maxWidth={terminal ? false : 'lg'}
        sx={terminal ? { flexGrow: 1, minHeight: 0, display: 'flex', flexDirection: 'column', py: 1, px: { xs: 1, sm: 1.5 } } : { flexGrow: 1, py: { xs: 2, sm: 4 }, px: { xs: 2, sm: 3 } }}
      >
        <Outlet />
      </Container>
      {/* The terminal fills the window to its bottom edge, as Kraken Pro's does: no footer there; every other page has it. */}
      {!terminal && <Footer />}
    </Box>
  );
}
