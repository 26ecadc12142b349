import Link from '@mui/material/Link';
import type { ReactNode } from 'react';

/** The API only hands out http(s) addresses and site paths; checked again here, as an href is where a script would run. */
function isWebLink(url: string | null | undefined): url is string {
  return !!url && (/^https?:\/\//i.test(url) || (url.startsWith('/') && !url.startsWith('//')));
}

/**
 * The name of a legal document, linked to where the operator publishes it (`Coinage:Identity:TermsUrl` /
 * `PrivacyUrl`), in a new tab so a half-filled form is not lost; plain text when none is configured.
 */
export function LegalDocumentLink({ url, children }: { url: string | null | undefined; children: ReactNode }) {
  if (!isWebLink(url)) return <>{children}</>;
  return (
    <Link href={url} target="_blank" rel="noopener noreferrer" onClick={(e) => e.stopPropagation()}>
      {children}{' '}
      <span style={{ position: 'absolute', width: 1, height: 1, overflow: 'hidden', clip: 'rect(0 0 0 0)', whiteSpace: 'nowrap' }}>(opens in a new tab)</span>
    </Link>
  );
}
