import { createSlice, type PayloadAction } from '@reduxjs/toolkit';

export type ColorMode = 'light' | 'dark';

export const colorModeStorageKey = 'coinage.colorMode';

export interface ColorModeState {
  mode: ColorMode;
}

/** The trader's saved choice, else the system preference, else light. Storage may be unavailable (privacy modes). */
export function readInitialColorMode(storage: Pick<Storage, 'getItem'> | undefined = safeLocalStorage()): ColorMode {
  try {
    const saved = storage?.getItem(colorModeStorageKey);
    if (saved === 'light' || saved === 'dark') {
      return saved;
    }
  } catch {
    // Reading storage can throw (blocked cookies); fall through to the system preference.
  }
  const prefersDark =
    typeof window !== 'undefined' &&
    typeof window.matchMedia === 'function' &&
    window.matchMedia('(prefers-color-scheme: dark)').matches;
  return prefersDark ? 'dark' : 'light';
}

export function saveColorMode(mode: ColorMode, storage: Pick<Storage, 'setItem'> | undefined = safeLocalStorage()): void {
  try {
    storage?.setItem(colorModeStorageKey, mode);
  } catch {
    // Quota or privacy mode: the choice then lasts for this visit only.
  }
}

function safeLocalStorage(): Storage | undefined {
  try {
    return typeof window === 'undefined' ? undefined : window.localStorage;
  } catch {
    return undefined;
  }
}

export const colorModeSlice = createSlice({
  name: 'colorMode',
  initialState: (): ColorModeState => ({ mode: readInitialColorMode() }),
  reducers: {
    toggleColorMode(state) {
      state.mode = state.mode === 'light' ? 'dark' : 'light';
    },
    setColorMode(state, action: PayloadAction<ColorMode>) {
      state.mode = action.payload;
    },
  },
  selectors: {
    selectColorMode: (state) => state.mode,
  },
});

export const { toggleColorMode, setColorMode } = colorModeSlice.actions;
export const { selectColorMode } = colorModeSlice.selectors;
