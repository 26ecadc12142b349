import Alert, { type AlertColor } from '@mui/material/Alert';
import Snackbar from '@mui/material/Snackbar';
import { createContext, type ReactNode, useCallback, useContext, useMemo, useRef, useState } from 'react';

interface Toast {
  id: number;
  text: string;
  severity: AlertColor;
}

type Notify = (text: string, severity?: AlertColor) => void;

const ToastContext = createContext<Notify>(() => undefined);

/** Short notices (fills, rejections): one at a time, the next one waits its turn. */
export function ToastProvider({ children }: { children: ReactNode }) {
  const [queue, setQueue] = useState<Toast[]>([]);
  const nextId = useRef(1);
  const notify = useCallback<Notify>((text, severity = 'info') => {
    const id = nextId.current++;
    setQueue((q) => [...q, { id, text, severity }]);
  }, []);
  const current = queue[0];
  const close = () => setQueue((q) => q.slice(1));
  const value = useMemo(() => notify, [notify]);
  return (
    <ToastContext.Provider value={value}>
      {children}
      <Snackbar
        key={current?.id ?? 0}
        open={current !== undefined}
        autoHideDuration={6000}
        onClose={(_event, reason) => reason !== 'clickaway' && close()}
        anchorOrigin={{ vertical: 'bottom', horizontal: 'right' }}
      >
        {current ? (
          <Alert severity={current.severity} variant="filled" onClose={close} sx={{ width: '100%' }}>
            {current.text}
          </Alert>
        ) : undefined}
      </Snackbar>
    </ToastContext.Provider>
  );
}

export function useToast(): Notify {
  return useContext(ToastContext);
}
