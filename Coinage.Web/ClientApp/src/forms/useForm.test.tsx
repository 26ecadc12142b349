import TextField from '@mui/material/TextField';
import { render, screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { useForm } from './useForm';

function NameForm({ label, field }: { label: string; field: string }) {
  const form = useForm({ name: '' });
  return (
    <form aria-label={label}>
      <TextField {...form.text('name')} label={field} required />
    </form>
  );
}

describe('useForm', () => {
  it('gives each form its own field ids, so a label names the input of its own form', () => {
    // Account → Security has both: the passkey's name and the API key's name.
    render(
      <>
        <NameForm label="Add a passkey" field="Passkey name" />
        <NameForm label="Create an API key" field="Key name" />
      </>,
    );

    const passkey = within(screen.getByRole('form', { name: 'Add a passkey' })).getByRole('textbox');
    const apiKey = within(screen.getByRole('form', { name: 'Create an API key' })).getByRole('textbox');
    expect(passkey.id).not.toBe(apiKey.id);
    expect(screen.getByLabelText(/^Key name/)).toBe(apiKey);
    expect(screen.getByLabelText(/^Passkey name/)).toBe(passkey);
  });
});
