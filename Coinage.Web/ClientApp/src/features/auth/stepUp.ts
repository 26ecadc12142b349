import type { AxiosError, AxiosInstance } from 'axios';
import { isAxiosError } from 'axios';

declare module 'axios' {
  interface AxiosRequestConfig {
    /** Set on the replay after a step-up, so a second `step_up_required` is final. */
    stepUpRetried?: boolean;
  }
}

export const stepUpUrl = '/api/v1/account/step-up';
/** WebAuthn request options for a step-up with one of the user's passkeys (a ceremony for this purpose only). */
export const stepUpPasskeyOptionsUrl = '/api/v1/account/step-up/passkey/options';
export const stepUpRequiredCode = 'step_up_required';

/** How the user can prove themselves again, as the API lists them in the problem's `methods`. */
export type StepUpMethod = 'passkey' | 'totp' | 'recovery_code' | 'password' | (string & {});

/** The question on screen: which methods the API accepts. */
export interface StepUpPrompt {
  /** A new number per question, so the dialog starts each one from an empty form. */
  id: number;
  methods: StepUpMethod[];
}

interface StepUpProblem {
  code?: unknown;
  methods?: unknown;
}

/**
 * Step-up for sensitive actions (issue 21, item 8). The API answers such an action without a fresh proof
 * with `403 step_up_required` and the methods this user can prove themselves with; this interceptor then
 * shows the step-up dialog (features/auth/StepUpDialog), waits for the proof, and sends the same request
 * again once. Every call that meets the 403 meanwhile waits for the same dialog. Cancelling rejects
 * them with the API's own problem ("Confirm it is you"), which their forms show.
 */
export class StepUpPrompter {
  private prompt: StepUpPrompt | null = null;
  private asked = 0;
  private waiting: Promise<boolean> | null = null;
  private settleWaiting: ((proven: boolean) => void) | null = null;
  private readonly listeners = new Set<() => void>();

  constructor(private readonly client: AxiosInstance) {}

  /** For `useSyncExternalStore`: the prompt on screen, or null. */
  getSnapshot = (): StepUpPrompt | null => this.prompt;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /** Asks the user (one dialog for every caller); resolves true once the proof succeeded. */
  ask(methods: StepUpMethod[]): Promise<boolean> {
    if (!this.waiting) {
      this.prompt = { id: ++this.asked, methods };
      this.waiting = new Promise<boolean>((resolve) => {
        this.settleWaiting = resolve;
      });
      this.emit();
    }
    return this.waiting;
  }

  /** The dialog's answer: proven (the API accepted the proof) or cancelled. */
  settle(proven: boolean): void {
    const settle = this.settleWaiting;
    this.prompt = null;
    this.waiting = null;
    this.settleWaiting = null;
    this.emit();
    settle?.(proven);
  }

  /** Installs the interceptor; returns what removes it (and cancels a pending prompt). */
  install(): () => void {
    const id = this.client.interceptors.response.use(undefined, async (error: unknown) => {
      const config = isAxiosError(error) ? (error as AxiosError).config : undefined;
      const problem = isAxiosError(error) ? (error.response?.data as StepUpProblem | undefined) : undefined;
      if (!config || config.stepUpRetried || !isAxiosError(error) || error.response?.status !== 403 || problem?.code !== stepUpRequiredCode) {
        throw error;
      }
      const methods = Array.isArray(problem.methods) ? problem.methods.filter((m): m is string => typeof m === 'string') : [];
      if (!(await this.ask(methods))) {
        throw error;
      }
      config.stepUpRetried = true;
      return this.client.request(config);
    });
    return () => {
      this.client.interceptors.response.eject(id);
      if (this.waiting) this.settle(false);
    };
  }

  private emit(): void {
    for (const listener of this.listeners) listener();
  }
}
