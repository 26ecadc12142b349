import Alert from '@mui/material/Alert';
import AlertTitle from '@mui/material/AlertTitle';
import Box from '@mui/material/Box';

/** Recovery codes, shown once: after enabling 2FA, regenerating them, or adding the account's first passkey. */
export function RecoveryCodesList({ codes }: { codes: string[] }) {
  return (
    <Alert severity="warning">
      <AlertTitle>Save your recovery codes</AlertTitle>
      Each code signs you in once if you lose your authenticator. They are shown only now.
      <Box
        component="ul"
        aria-label="Recovery codes"
        sx={{ fontFamily: 'monospace', display: 'grid', gridTemplateColumns: { xs: '1fr', sm: '1fr 1fr' }, gap: 0.5, pl: 2, mt: 1 }}
      >
        {codes.map((c) => (
          <li key={c}>{c}</li>
        ))}
      </Box>
    </Alert>
  );
}
