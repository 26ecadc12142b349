import ContentCopyIcon from '@mui/icons-material/ContentCopy';
import DownloadIcon from '@mui/icons-material/Download';
import Alert from '@mui/material/Alert';
import AlertTitle from '@mui/material/AlertTitle';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import { useState } from 'react';

export const recoveryCodesFileName = 'coinage-recovery-codes.txt';

/** The file a user keeps: what the codes are for and how to use them, then one code per line (CRLF: Notepad too). */
export function recoveryCodesText(codes: readonly string[], now = new Date()): string {
  return [
    'Coinage recovery codes',
    `Created ${now.toISOString().slice(0, 10)}. Each code signs you in once if you lose your authenticator;`,
    'generating new codes makes these invalid. Keep this file somewhere safe and offline.',
    '',
    ...codes,
    '',
  ].join('\r\n');
}

/** Recovery codes, shown once: after enabling 2FA, regenerating them, or adding the account's first passkey. */
export function RecoveryCodesList({ codes }: { codes: string[] }) {
  const [feedback, setFeedback] = useState<string | null>(null);

  async function copy() {
    try {
      await navigator.clipboard.writeText(codes.join('\n'));
      setFeedback('Copied to the clipboard.');
    } catch {
      // No clipboard permission (or an insecure context): the codes are on screen to select by hand.
      setFeedback('Copying is not allowed here: select the codes and copy them, or download them.');
    }
  }

  function download() {
    const url = URL.createObjectURL(new Blob([recoveryCodesText(codes)], { type: 'text/plain;charset=utf-8' }));
    const link = document.createElement('a');
    link.href = url;
    link.download = recoveryCodesFileName;
    document.body.append(link);
    link.click();
    link.remove();
    URL.revokeObjectURL(url);
    setFeedback(`Saved as ${recoveryCodesFileName}.`);
  }

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
      <Stack direction="row" spacing={1} sx={{ mt: 1, alignItems: 'center', flexWrap: 'wrap' }}>
        <Button size="small" variant="outlined" color="inherit" startIcon={<ContentCopyIcon />} onClick={() => void copy()}>
          Copy codes
        </Button>
        <Button size="small" variant="outlined" color="inherit" startIcon={<DownloadIcon />} onClick={download}>
          Download .txt
        </Button>
        <Typography variant="body2" role="status">
          {feedback}
        </Typography>
      </Stack>
    </Alert>
  );
}
