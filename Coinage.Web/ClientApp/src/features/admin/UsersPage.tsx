import Alert from '@mui/material/Alert';
import Button from '@mui/material/Button';
import Checkbox from '@mui/material/Checkbox';
import Chip from '@mui/material/Chip';
import FormControlLabel from '@mui/material/FormControlLabel';
import FormGroup from '@mui/material/FormGroup';
import Paper from '@mui/material/Paper';
import Stack from '@mui/material/Stack';
import Table from '@mui/material/Table';
import TableBody from '@mui/material/TableBody';
import TableCell from '@mui/material/TableCell';
import TableContainer from '@mui/material/TableContainer';
import TableHead from '@mui/material/TableHead';
import TableRow from '@mui/material/TableRow';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import { useState } from 'react';
import { useAppSelector } from '../../app/hooks';
import { ProblemAlert } from '../../forms/ProblemAlert';
import { formatDate, QueryState } from '../../forms/QueryState';
import { useForm } from '../../forms/useForm';
import { hasAnyRole, roles, selectClaims, selectRoles } from '../auth/authSlice';
import { type AdminUser, allRoles, useListUsersQuery, useLockUserMutation, useSetRoleMutation, useUnlockUserMutation } from './adminApi';
import { CursorPager, useCursorPages } from './CursorPager';
import { TradingSuspensionButton } from './TradingSuspensionButton';

/** Users and roles: Support may look, only Admin may change (the API enforces both). */
export function UsersPage() {
  const [search, setSearch] = useState('');
  const pages = useCursorPages();
  const { data, isLoading, isFetching, error, refetch } = useListUsersQuery({
    limit: 25,
    ...(search !== '' && { search }),
    ...(pages.cursor !== undefined && { cursor: pages.cursor }),
  });
  const canChange = hasAnyRole(useAppSelector(selectRoles), roles.admin);
  const form = useForm({ search: '' }, { validate: (v) => ({ search: v.search.length > 254 ? 'At most 254 characters.' : undefined }) });
  const submit = form.handleSubmit(({ search: term }) => {
    pages.reset();
    setSearch(term.trim());
  });

  return (
    <Stack spacing={2}>
      <Typography variant="h4" component="h1" sx={{ fontSize: { xs: '1.75rem', sm: '2.125rem' } }}>
        Users
      </Typography>
      <Stack component="form" noValidate onSubmit={submit} direction={{ xs: 'column', sm: 'row' }} spacing={1} role="search" sx={{ alignItems: { sm: 'flex-start' } }}>
        <TextField {...form.text('search')} label="Search by email" size="small" sx={{ minWidth: { sm: 320 } }} />
        <Button type="submit" variant="contained">
          Search
        </Button>
      </Stack>
      {!data ? (
        <QueryState isLoading={isLoading} error={error} onRetry={() => void refetch()} label="users" />
      ) : (
        <>
          {error && <ProblemAlert problem={error} />}
          {data.items.length === 0 ? (
            <Typography color="text.secondary">{search ? `No user matches “${search}”.` : 'No users yet.'}</Typography>
          ) : (
            <TableContainer component={Paper} variant="outlined">
              <Table size="small" aria-label="Users" aria-busy={isFetching}>
                <TableHead>
                  <TableRow>
                    <TableCell>Email</TableCell>
                    <TableCell>Status</TableCell>
                    <TableCell>Roles</TableCell>
                    <TableCell>Created</TableCell>
                    {canChange && <TableCell>Actions</TableCell>}
                  </TableRow>
                </TableHead>
                <TableBody>
                  {data.items.map((user) => (
                    <UserRow key={user.id} user={user} canChange={canChange} />
                  ))}
                </TableBody>
              </Table>
            </TableContainer>
          )}
          <CursorPager page={pages.page} nextCursor={data.nextCursor} onNext={pages.next} onPrevious={pages.previous} disabled={isFetching} />
        </>
      )}
    </Stack>
  );
}

function UserRow({ user, canChange }: { user: AdminUser; canChange: boolean }) {
  const self = useAppSelector(selectClaims)?.userId === user.id;
  const [lock, lockState] = useLockUserMutation();
  const [unlock, unlockState] = useUnlockUserMutation();
  const [setRole, roleState] = useSetRoleMutation();
  const busy = lockState.isLoading || unlockState.isLoading || roleState.isLoading;
  const failure = lockState.error ?? unlockState.error ?? roleState.error;
  return (
    <TableRow>
      <TableCell sx={{ wordBreak: 'break-all' }}>{user.email}</TableCell>
      <TableCell>
        <Stack direction="row" spacing={0.5} useFlexGap sx={{ flexWrap: 'wrap' }}>
          {user.lockedOut && <Chip size="small" color="error" label="locked" />}
          {user.tradingSuspended && <Chip size="small" color="warning" label="trading suspended" />}
          <Chip size="small" color={user.emailVerified ? 'success' : 'default'} label={user.emailVerified ? 'verified' : 'unverified'} />
          {user.twoFactorEnabled && <Chip size="small" label="2FA" />}
        </Stack>
      </TableCell>
      <TableCell>
        {canChange ? (
          <FormGroup row role="group" aria-label={`Roles of ${user.email}`}>
            {allRoles.map((role) => (
              <FormControlLabel
                key={role}
                label={role}
                control={
                  <Checkbox
                    size="small"
                    checked={user.roles.includes(role)}
                    disabled={busy || (self && role === roles.admin)}
                    onChange={(e) => void setRole({ id: user.id, role, grant: e.target.checked })}
                  />
                }
              />
            ))}
          </FormGroup>
        ) : (
          user.roles.join(', ') || '—'
        )}
      </TableCell>
      <TableCell>{formatDate(user.createdAt)}</TableCell>
      {canChange && (
        <TableCell>
          {user.lockedOut ? (
            <Button size="small" onClick={() => void unlock(user.id)} disabled={busy} aria-label={`Unlock ${user.email}`}>
              Unlock
            </Button>
          ) : (
            <Button size="small" color="error" onClick={() => void lock(user.id)} disabled={busy || self} aria-label={`Lock ${user.email}`}>
              Lock
            </Button>
          )}
          <TradingSuspensionButton user={user} />
          {failure && (
            <Alert severity="error" sx={{ mt: 1 }}>
              {'title' in failure ? String(failure.title) : 'The change failed.'}
            </Alert>
          )}
        </TableCell>
      )}
    </TableRow>
  );
}
