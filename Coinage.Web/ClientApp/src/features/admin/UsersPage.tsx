import Alert from '@mui/material/Alert';
import Button from '@mui/material/Button';
import Checkbox from '@mui/material/Checkbox';
import Chip from '@mui/material/Chip';
import FormControlLabel from '@mui/material/FormControlLabel';
import FormGroup from '@mui/material/FormGroup';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import type { GridColDef } from '@mui/x-data-grid';
import { useMemo, useState } from 'react';
import { useAppSelector } from '../../app/hooks';
import { useForm } from '../../forms/useForm';
import { idColumn, timeColumn } from '../../table/columns';
import { useCursorPages } from '../../table/cursorPages';
import { DataTable } from '../../table/DataTable';
import { hasAnyRole, roles, selectClaims, selectRoles } from '../auth/authSlice';
import { type AdminUser, allRoles, useListUsersQuery, useLockUserMutation, useSetRoleMutation, useUnlockUserMutation } from './adminApi';
import { TradingSuspensionButton } from './TradingSuspensionButton';

const pageSize = 25;

/** Users and roles: Support may look, only Admin may change (the API enforces both). */
export function UsersPage() {
  const [search, setSearch] = useState('');
  const pages = useCursorPages();
  const result = useListUsersQuery({
    limit: pageSize,
    ...(search !== '' && { search }),
    ...(pages.cursor !== undefined && { cursor: pages.cursor }),
  });
  const canChange = hasAnyRole(useAppSelector(selectRoles), roles.admin);
  const form = useForm({ search: '' }, { validate: (v) => ({ search: v.search.length > 254 ? 'At most 254 characters.' : undefined }) });
  const submit = form.handleSubmit(({ search: term }) => {
    pages.reset();
    setSearch(term.trim());
  });
  const columns = useMemo<GridColDef<AdminUser>[]>(
    () => [
      { field: 'email', headerName: 'Email', minWidth: 220, flex: 1.5, renderCell: ({ row }) => <span style={{ wordBreak: 'break-all' }}>{row.email}</span> },
      {
        field: 'status',
        headerName: 'Status',
        minWidth: 200,
        flex: 1,
        sortable: false,
        valueGetter: (_v, u) => statusWords(u).join(', '),
        renderCell: ({ row }) => <UserStatus user={row} />,
      },
      {
        field: 'roles',
        headerName: 'Roles',
        minWidth: canChange ? 320 : 140,
        flex: 2,
        sortable: false,
        valueGetter: (_v, u) => u.roles.join(', '),
        renderCell: ({ row }) => (canChange ? <RoleToggles user={row} /> : row.roles.join(', ') || '—'),
      },
      timeColumn('createdAt', 'Created', (u) => u.createdAt),
      idColumn('id', 'User id', (u) => u.id),
      // Support sees no actions column at all: only Admin may use them.
      ...(canChange
        ? [{ field: 'actions', headerName: 'Actions', sortable: false, hideable: false, minWidth: 240, renderCell: ({ row }) => <UserActions user={row} /> } satisfies GridColDef<AdminUser>]
        : []),
    ],
    [canChange],
  );

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
      <DataTable
        list="admin.users"
        label="Users"
        what="users"
        columns={columns}
        hiddenColumns={['id']}
        getRowId={(u) => u.id}
        result={result}
        pages={pages}
        pageSize={pageSize}
        emptyText={search ? `No user matches “${search}”.` : 'No users yet.'}
        autoRowHeight
      />
    </Stack>
  );
}

function statusWords(user: AdminUser): string[] {
  return [
    ...(user.lockedOut ? ['locked'] : []),
    ...(user.tradingSuspended ? ['trading suspended'] : []),
    user.emailVerified ? 'verified' : 'unverified',
    ...(user.twoFactorEnabled ? ['2FA'] : []),
  ];
}

function UserStatus({ user }: { user: AdminUser }) {
  return (
    <Stack direction="row" spacing={0.5} useFlexGap sx={{ flexWrap: 'wrap', py: 0.5 }}>
      {user.lockedOut && <Chip size="small" color="error" label="locked" />}
      {user.tradingSuspended && <Chip size="small" color="warning" label="trading suspended" />}
      <Chip size="small" color={user.emailVerified ? 'success' : 'default'} label={user.emailVerified ? 'verified' : 'unverified'} />
      {user.twoFactorEnabled && <Chip size="small" label="2FA" />}
    </Stack>
  );
}

/** Grant or revoke each role; an Admin cannot take Admin from themselves. */
function RoleToggles({ user }: { user: AdminUser }) {
  const self = useAppSelector(selectClaims)?.userId === user.id;
  const [setRole, { isLoading, error }] = useSetRoleMutation();
  return (
    <Stack sx={{ py: 0.5 }}>
      <FormGroup row role="group" aria-label={`Roles of ${user.email}`}>
        {allRoles.map((role) => (
          <FormControlLabel
            key={role}
            label={role}
            control={
              <Checkbox
                size="small"
                checked={user.roles.includes(role)}
                disabled={isLoading || (self && role === roles.admin)}
                onChange={(e) => void setRole({ id: user.id, role, grant: e.target.checked })}
              />
            }
          />
        ))}
      </FormGroup>
      {error && <Alert severity="error">{'title' in error ? String(error.title) : 'The change failed.'}</Alert>}
    </Stack>
  );
}

/** Lock or unlock (never oneself) and suspend trading. */
function UserActions({ user }: { user: AdminUser }) {
  const self = useAppSelector(selectClaims)?.userId === user.id;
  const [lock, lockState] = useLockUserMutation();
  const [unlock, unlockState] = useUnlockUserMutation();
  const busy = lockState.isLoading || unlockState.isLoading;
  const failure = lockState.error ?? unlockState.error;
  return (
    <Stack sx={{ py: 0.5 }}>
      <Stack direction="row" spacing={1} sx={{ alignItems: 'center' }}>
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
      </Stack>
      {failure && <Alert severity="error">{'title' in failure ? String(failure.title) : 'The change failed.'}</Alert>}
    </Stack>
  );
}
