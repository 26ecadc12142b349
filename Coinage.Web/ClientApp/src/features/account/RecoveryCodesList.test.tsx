import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { recoveryCodesFileName, RecoveryCodesList, recoveryCodesText } from './RecoveryCodesList';

const codes = ['aaaa-bbbb-cccc', 'dddd-eeee-ffff'];

describe('recovery codes', () => {
  afterEach(() => vi.restoreAllMocks());

  it('copies every code, one a line, to the clipboard', async () => {
    const user = userEvent.setup();
    const writeText = vi.spyOn(navigator.clipboard, 'writeText');
    render(<RecoveryCodesList codes={codes} />);

    await user.click(screen.getByRole('button', { name: 'Copy codes' }));

    expect(writeText).toHaveBeenCalledWith('aaaa-bbbb-cccc\ndddd-eeee-ffff');
    expect(await navigator.clipboard.readText()).toBe('aaaa-bbbb-cccc\ndddd-eeee-ffff');
    expect(screen.getByRole('status')).toHaveTextContent('Copied to the clipboard.');
  });

  it('says so when the browser refuses the clipboard', async () => {
    const user = userEvent.setup();
    render(<RecoveryCodesList codes={codes} />);
    vi.spyOn(navigator.clipboard, 'writeText').mockRejectedValue(new DOMException('Denied', 'NotAllowedError'));

    await user.click(screen.getByRole('button', { name: 'Copy codes' }));

    expect(screen.getByRole('status')).toHaveTextContent('Copying is not allowed here');
  });

  it('downloads a .txt with the codes and what they are for', async () => {
    const blobs: Blob[] = [];
    const createObjectURL = vi.fn((blob: Blob) => {
      blobs.push(blob);
      return 'blob:recovery-codes';
    });
    const revokeObjectURL = vi.fn();
    Object.assign(URL, { createObjectURL, revokeObjectURL });
    let clicked: HTMLAnchorElement | null = null;
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      clicked = this;
    });
    const user = userEvent.setup();
    render(<RecoveryCodesList codes={codes} />);

    await user.click(screen.getByRole('button', { name: 'Download .txt' }));

    expect(clicked).not.toBeNull();
    expect(clicked!.download).toBe(recoveryCodesFileName);
    expect(clicked!.href).toBe('blob:recovery-codes');
    expect(blobs).toHaveLength(1);
    expect(blobs[0]!.type).toBe('text/plain;charset=utf-8');
    const text = await blobs[0]!.text();
    expect(text.split('\r\n')).toEqual(expect.arrayContaining(['aaaa-bbbb-cccc', 'dddd-eeee-ffff']));
    expect(text).toMatch(/^Coinage recovery codes\r\n/);
    // The object URL is released once the download started: no leak of the codes in memory.
    expect(revokeObjectURL).toHaveBeenCalledWith('blob:recovery-codes');
    expect(document.querySelector('a[download]')).toBeNull();
    expect(screen.getByRole('status')).toHaveTextContent(`Saved as ${recoveryCodesFileName}.`);
  });

  it('writes the file with the date, the warning and one code a line', () => {
    expect(recoveryCodesText(codes, new Date('2026-12-06T08:00:00Z'))).toBe(
      'Coinage recovery codes\r\nCreated 2026-12-06. Each code signs you in once if you lose your authenticator;\r\n' +
        'generating new codes makes these invalid. Keep this file somewhere safe and offline.\r\n\r\naaaa-bbbb-cccc\r\ndddd-eeee-ffff\r\n',
    );
  });
});
