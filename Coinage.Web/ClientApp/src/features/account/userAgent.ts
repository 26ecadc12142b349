import { UAParser } from 'ua-parser-js';

export interface DeviceDescription {
  /** "Firefox 133", "Chrome Mobile 131", or the program's name ("curl 8.4.0"); null when nothing is recognisable. */
  browser: string | null;
  /** "Windows 10", "macOS 14.5", "Android 14"; null when the agent does not say. */
  system: string | null;
  /** "mobile" or "tablet"; null for a desktop, which the agent never names. */
  kind: string | null;
  /** One line for a list: "Firefox 133 on Windows 10". */
  label: string;
}

/** The major version only: "133.0.1" is "133", as browsers name themselves in their own About box. */
const major = (version: string | undefined) => version?.split('.')[0];

/** A program that is not a browser names itself first: "curl/8.4.0 …" → "curl 8.4.0". */
function program(userAgent: string): string | null {
  const match = /^([A-Za-z][\w.-]{0,40})\/(\d[\w.]{0,20})/.exec(userAgent.trim());
  return match ? `${match[1]} ${match[2]}` : null;
}

/**
 * What a session's User-Agent says in words (ua-parser-js): browser, system and device kind, never the raw string,
 * which is long, cryptic and mostly compatibility tokens.
 */
export function describeUserAgent(userAgent: string | null | undefined): DeviceDescription {
  const raw = userAgent?.trim() ?? '';
  if (raw === '' || raw === 'unknown') {
    return { browser: null, system: null, kind: null, label: 'Unknown device' };
  }
  const parsed = new UAParser(raw).getResult();
  const browser = parsed.browser.name
    ? [parsed.browser.name, major(parsed.browser.version)].filter(Boolean).join(' ')
    : program(raw);
  const system = parsed.os.name ? [parsed.os.name, parsed.os.version].filter(Boolean).join(' ') : null;
  const kind = parsed.device.type === 'mobile' || parsed.device.type === 'tablet' ? parsed.device.type : null;
  const label = browser && system ? `${browser} on ${system}` : (browser ?? system ?? 'Unknown device');
  return { browser, system, kind, label };
}
