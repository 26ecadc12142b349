import Alert from '@mui/material/Alert';
import Button from '@mui/material/Button';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import { useState } from 'react';
import { Link as RouterLink, useSearchParams } from 'react-router';
import { toApiError } from '../../api/apiError';
import { ProblemAlert } from '../../forms/ProblemAlert';
import type { FormProblem } from '../../forms/useForm';
import { downloadExport } from './privacyApi';

/**
 * Where the "your export is ready" email leads (`/account/privacy/download?export=…&token=…`). The
 * download is a button, not automatic: the link works once, so a mail scanner opening it must not use it.
 */
export function ExportDownloadPage() {
  const [params] = useSearchParams();
  const exportId = params.get('export');
  const token = params.get('token');
  const [state, setState] = useState<'idle' | 'busy' | 'done'>('idle');
  const [problem, setProblem] = useState<FormProblem | null>(null);

  async function download() {
    if (!exportId || !token) {
      return;
    }
    setState('busy');
    setProblem(null);
    try {
      const blob = await downloadExport(exportId, token);
      const url = URL.createObjectURL(blob);
      const anchor = document.createElement('a');
      anchor.href = url;
      anchor.download = `coinage-data-${exportId}.zip`;
      anchor.click();
      URL.revokeObjectURL(url);
      setState('done');
    } catch (error) {
      const apiError = toApiError(error);
      setProblem({ title: apiError.title, ...(apiError.detail !== undefined && { detail: apiError.detail }) });
      setState('idle');
    }
  }

  if (!exportId || !token) {
    return <Alert severity="error">This link is incomplete. Open the link from the email again.</Alert>;
  }
  return (
    <Stack spacing={2} sx={{ maxWidth: 560 }}>
      <Typography variant="h5" component="h2">
        Download your data
      </Typography>
      <Typography color="text.secondary">
        The archive holds everything Coinage keeps about you: JSON files for every kind of record, and CSV files of your orders, trades and
        ledger. The link works once.
      </Typography>
      <ProblemAlert problem={problem} />
      {state === 'done' ? (
        <Alert severity="success">Downloaded. The archive has been deleted from our servers.</Alert>
      ) : (
        <Button variant="contained" onClick={() => void download()} disabled={state === 'busy'} sx={{ alignSelf: 'flex-start' }}>
          {state === 'busy' ? 'Preparing…' : 'Download archive'}
        </Button>
      )}
      <Button component={RouterLink} to="/account/privacy" sx={{ alignSelf: 'flex-start' }}>
        Back to privacy settings
      </Button>
    </Stack>
  );
}
