import DownloadIcon from '@mui/icons-material/Download';
import Button from '@mui/material/Button';
import Stack from '@mui/material/Stack';
import { isAxiosError } from 'axios';
import { useState } from 'react';
import { type ApiError, toApiError } from '../api/apiError';
import { apiClient } from '../api/client';
import { ProblemAlert } from '../forms/ProblemAlert';

/** The file name the API gave in Content-Disposition, else `fallback`. */
export function downloadName(disposition: string | undefined, fallback: string): string {
  if (!disposition) return fallback;
  const star = /filename\*=UTF-8''([^;]+)/i.exec(disposition);
  if (star?.[1]) return decodeURIComponent(star[1]);
  const plain = /filename="?([^";]+)"?/i.exec(disposition);
  return plain?.[1] ?? fallback;
}

/**
 * Downloads a CSV export of the API with the list's filters. The request carries the session's bearer token
 * (the access token lives in memory, so a plain link could not), and the file is handed to the browser as a
 * download. A refusal (bad filter, 429 after a few exports) shows the API's problem.
 */
export function ExportCsvButton({ path, params, fallbackName }: { path: string; params: URLSearchParams; fallbackName: string }) {
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<ApiError | null>(null);

  async function download() {
    setBusy(true);
    setProblem(null);
    try {
      // Exports stream the whole history: allow more than the client's usual 15 s.
      const response = await apiClient.get<Blob>(path, { params, responseType: 'blob', timeout: 300_000, headers: { Accept: 'text/csv, application/problem+json' } });
      const url = URL.createObjectURL(response.data);
      const link = document.createElement('a');
      link.href = url;
      link.download = downloadName(response.headers['content-disposition'] as string | undefined, fallbackName);
      document.body.append(link);
      link.click();
      link.remove();
      URL.revokeObjectURL(url);
    } catch (error) {
      setProblem(await problemOf(error));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Stack spacing={1} sx={{ alignItems: 'flex-end' }}>
      <Button variant="outlined" size="small" startIcon={<DownloadIcon />} onClick={() => void download()} disabled={busy}>
        {busy ? 'Exporting…' : 'Export CSV'}
      </Button>
      {problem && <ProblemAlert problem={problem} />}
    </Stack>
  );
}

/** With `responseType: 'blob'` the problem details arrive as a Blob: read it back as JSON first. */
async function problemOf(error: unknown): Promise<ApiError> {
  if (isAxiosError(error) && error.response?.data instanceof Blob) {
    try {
      error.response.data = JSON.parse(await error.response.data.text()) as unknown;
    } catch {
      // Not JSON (a proxy's page): the status alone speaks.
    }
  }
  return toApiError(error);
}
