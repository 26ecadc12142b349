import Alert, { type AlertColor } from '@mui/material/Alert';
import Stack from '@mui/material/Stack';
import { createContext, type ReactNode, useCallback, useContext, useEffect, useRef, useState } from 'react';

interface Toast {
  id: number;
  text: string;
  severity: AlertColor;
}

type Notify = (text: string, severity?: AlertColor) => void;

const ToastContext = createContext<Notify>(() => undefined);

/** How long a notice stays; the newest few are shown at once, so a burst of fills is not queued for minutes. */
const visibleMs = 6_000;
const maxVisible = 3;

function ToastItem({ toast, onClose }: { toast: Toast; onClose: (id: number) => void }) {
  useEffect(() => {
    const timer = setTimeout(() => onClose(toast.id), visibleMs);
    return () => clearTimeout(timer);
  }, [toast.id, onClose]);
  return (
    <Alert severity={toast.severity} variant="filled" onClose={() => onClose(toast.id)} sx={{ boxShadow: 3 }}>
      {toast.text}
    </Alert>
  );
}

/** Short notices (fills, rejections, placed orders) in the bottom corner. */
export function ToastProvider({ children }: { children: ReactNode }) {
  const [toasts, setToasts] = useState<Toast[]>([]);
  const nextId = useRef(1);
  const notify = useCallback<Notify>((text, severity = 'info') => {
    const id = nextId.current++;
    setToasts((current) => [...current, { id, text, severity }].slice(-maxVisible));
  }, []);
  const close = useCallback((id: number) => setToasts((current) => current.filter((t) => t.id !== id)), []);
  return (
    <ToastContext.Provider value={notify}>
      {children}
      <Stack
        spacing={1}
        sx={{ position: 'fixed', bottom: 16, right: 16, left: { xs: 16, sm: 'auto' }, zIndex: (theme) => theme.zIndex.snackbar, maxWidth: { sm: 420 } }}
      >
        {toasts.map((t) => (
          <ToastItem key={t.id} toast={t} onClose={close} />
        ))}
      </Stack>
    </ToastContext.Provider>
  );
}

export function useToast(): Notify {
  return useContext(ToastContext);
}
