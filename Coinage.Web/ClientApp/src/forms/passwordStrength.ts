/**
 * A live estimate of the API's password score (PasswordRules.Score): 0 very weak … 4 strong. The
 * API has the final word (it also checks 10,000 common passwords); this only guides the typing.
 */
export const passwordMinimumLength = 12;
export const passwordMaximumLength = 128;

// A few of the most common passwords, so the meter does not praise them; the API checks the full list.
const veryCommon = new Set([
  'password', 'passw0rd', '123456', '12345678', '123456789', '1234567890', 'qwerty', 'qwertyuiop', 'letmein',
  'welcome', 'iloveyou', 'admin', 'monkey', 'dragon', 'football', 'baseball', 'abc123', 'trustno1', 'sunshine',
  'princess', 'master', 'shadow', 'superman', 'michael', 'password123', 'qwerty123', '111111', '000000',
]);

function emailParts(email: string | undefined): string[] {
  if (!email) {
    return [];
  }
  return (email.split('@')[0] ?? '').split(/[.\-_+]/).filter((p) => p.length >= 4);
}

function isVeryCommon(password: string): boolean {
  const lower = password.toLowerCase();
  const core = lower.replace(/[0-9!@#$%^&*.?_-]+$/, '');
  return veryCommon.has(lower) || (core.length >= 4 && veryCommon.has(core));
}

export function passwordScore(password: string, email?: string): number {
  if (password.length === 0 || isVeryCommon(password)) {
    return 0;
  }
  let pool = 0;
  if (/[a-z]/.test(password)) pool += 26;
  if (/[A-Z]/.test(password)) pool += 26;
  if (/[0-9]/.test(password)) pool += 10;
  if (/[^A-Za-z0-9]/.test(password)) pool += 33;
  const characters = Array.from(password);
  const distinct = new Set(characters).size;
  // Repeats count a quarter, as on the server.
  const effectiveLength = distinct + (characters.length - distinct) / 4;
  let bits = effectiveLength * Math.log2(Math.max(pool, 2));
  const lower = password.toLowerCase();
  if (emailParts(email).some((p) => lower.includes(p.toLowerCase()))) {
    bits /= 2;
  }
  if (bits < 40) return 0;
  if (bits < 55) return 1;
  if (bits < 70) return 2;
  if (bits < 90) return 3;
  return 4;
}

export const strengthLabels = ['Very weak', 'Weak', 'Fair', 'Good', 'Strong'] as const;

/** The problems the API would report, so the field can say them while the user types. */
export function newPasswordError(password: string, email?: string): string | undefined {
  if (password.length === 0) {
    return 'Choose a password.';
  }
  if (password.length < passwordMinimumLength) {
    return `At least ${passwordMinimumLength} characters (${password.length} so far).`;
  }
  if (password.length > passwordMaximumLength) {
    return `At most ${passwordMaximumLength} characters.`;
  }
  const lower = password.toLowerCase();
  if (email && (lower.includes(email.trim().toLowerCase()) || emailParts(email).some((p) => lower.includes(p.toLowerCase())))) {
    return 'The password must not contain your email address.';
  }
  if (passwordScore(password, email) < 2) {
    return 'Too easy to guess: use more words or more kinds of characters.';
  }
  return undefined;
}
