import Button from '@mui/material/Button';
import Checkbox from '@mui/material/Checkbox';
import FormControlLabel from '@mui/material/FormControlLabel';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import { useState } from 'react';
import { toApiError } from '../../api/apiError';
import { ProblemAlert } from '../../forms/ProblemAlert';
import type { FormProblem } from '../../forms/useForm';
import { useLegalDocumentsQuery } from '../auth/authApi';
import { LegalDocumentLink } from '../auth/LegalDocumentLink';
import { acceptDocuments, type ConsentDocument } from './privacyApi';

const titles: Record<ConsentDocument['purpose'], string> = {
  terms: 'terms of service',
  privacy: 'privacy policy',
};

/**
 * Shown by the sign-in page when the API answers `consent_required`: the documents changed since the
 * user last accepted them. Accepting records the consent (with time and address) and completes the
 * sign-in; declining signs nothing in.
 */
export function ConsentStep({
  accessToken,
  documents,
  onAccepted,
  onDeclined,
}: {
  accessToken: string;
  documents: ConsentDocument[];
  onAccepted: () => void;
  onDeclined: () => void;
}) {
  const [agreed, setAgreed] = useState(false);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<FormProblem | null>(null);
  // Where the documents are published (an anonymous read): the new versions are linked from the list.
  const legal = useLegalDocumentsQuery();
  const urls = { terms: legal.data?.termsUrl, privacy: legal.data?.privacyUrl };

  async function accept() {
    setBusy(true);
    setProblem(null);
    try {
      await acceptDocuments(accessToken, documents);
      onAccepted();
    } catch (error) {
      const apiError = toApiError(error);
      setProblem({ title: apiError.title, ...(apiError.detail !== undefined && { detail: apiError.detail }) });
      setBusy(false);
    }
  }

  return (
    <Stack spacing={2} component="section" aria-label="Updated terms">
      <Typography variant="h5" component="h1">
        We updated our terms
      </Typography>
      <Typography>Please read and accept the new versions to continue:</Typography>
      <ul>
        {documents.map((d) => (
          <li key={d.purpose}>
            <Typography>
              The <LegalDocumentLink url={urls[d.purpose]}>{titles[d.purpose]}</LegalDocumentLink>, version {d.version}
            </Typography>
          </li>
        ))}
      </ul>
      <ProblemAlert problem={problem} />
      <FormControlLabel
        control={<Checkbox checked={agreed} onChange={(e) => setAgreed(e.target.checked)} />}
        label={`I accept the updated ${documents.map((d) => titles[d.purpose]).join(' and ')}`}
      />
      <Stack direction="row" spacing={1}>
        <Button variant="contained" onClick={() => void accept()} disabled={!agreed || busy}>
          {busy ? 'Saving…' : 'Accept and continue'}
        </Button>
        <Button onClick={onDeclined} disabled={busy}>
          Not now
        </Button>
      </Stack>
    </Stack>
  );
}
