import type { GridColumnVisibilityModel, GridDensity } from '@mui/x-data-grid';
import { useCallback, useState } from 'react';

const prefix = 'coinage.table.';

export interface TableState {
  columns: GridColumnVisibilityModel;
  density: GridDensity;
}

const densities: readonly GridDensity[] = ['compact', 'standard', 'comfortable'];

/** What this browser remembers of a list: hidden columns and density. Anything unreadable is forgotten, never thrown. */
export function readTableState(list: string, defaults: TableState): TableState {
  try {
    const raw = window.localStorage.getItem(prefix + list);
    if (!raw) return defaults;
    const parsed: unknown = JSON.parse(raw);
    if (typeof parsed !== 'object' || parsed === null) return defaults;
    const { columns, density } = parsed as Partial<Record<keyof TableState, unknown>>;
    const visibility =
      typeof columns === 'object' && columns !== null
        ? Object.fromEntries(Object.entries(columns).filter((e): e is [string, boolean] => typeof e[1] === 'boolean'))
        : {};
    return {
      columns: { ...defaults.columns, ...visibility },
      density: densities.includes(density as GridDensity) ? (density as GridDensity) : defaults.density,
    };
  } catch {
    return defaults;
  }
}

function writeTableState(list: string, state: TableState) {
  try {
    window.localStorage.setItem(prefix + list, JSON.stringify(state));
  } catch {
    // Private mode or a full quota: the choice lasts for this visit only.
  }
}

/** The column choice and density of the list `list`, remembered per browser. */
export function useStoredTableState(list: string, defaults: TableState) {
  const [state, setState] = useState(() => readTableState(list, defaults));
  const update = useCallback(
    (change: Partial<TableState>) =>
      setState((current) => {
        const next = { ...current, ...change };
        writeTableState(list, next);
        return next;
      }),
    [list],
  );
  return [state, update] as const;
}
