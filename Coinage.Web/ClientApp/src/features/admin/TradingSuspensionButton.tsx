import Button from '@mui/material/Button';
import Checkbox from '@mui/material/Checkbox';
import Dialog from '@mui/material/Dialog';
import DialogActions from '@mui/material/DialogActions';
import DialogContent from '@mui/material/DialogContent';
import DialogContentText from '@mui/material/DialogContentText';
import DialogTitle from '@mui/material/DialogTitle';
import FormControlLabel from '@mui/material/FormControlLabel';
import { useState } from 'react';
import { ProblemAlert } from '../../forms/ProblemAlert';
import type { AdminUser } from './adminApi';
import { useSetTradingSuspendedMutation } from './riskAdminApi';

/**
 * The per-user kill switch: suspend trading (new orders refused with trading_suspended, cancels still allowed),
 * optionally cancelling every open order at once; or lift it. Asks for confirmation first.
 */
export function TradingSuspensionButton({ user }: { user: AdminUser }) {
  const [setSuspended, { isLoading, error, reset }] = useSetTradingSuspendedMutation();
  const [open, setOpen] = useState(false);
  const [cancelOrders, setCancelOrders] = useState(true);
  const suspended = user.tradingSuspended === true;
  async function confirm() {
    const result = await setSuspended({ id: user.id, suspended: !suspended, cancelOrders });
    if (!('error' in result)) setOpen(false);
  }
  return (
    <>
      <Button
        size="small"
        color={suspended ? 'primary' : 'warning'}
        disabled={isLoading}
        onClick={() => {
          reset();
          setOpen(true);
        }}
        aria-label={`${suspended ? 'Resume trading of' : 'Suspend trading of'} ${user.email}`}
      >
        {suspended ? 'Resume trading' : 'Suspend trading'}
      </Button>
      {open && (
        <Dialog open onClose={() => setOpen(false)} aria-labelledby="suspension-title">
          <DialogTitle id="suspension-title">{suspended ? `Let ${user.email} trade again?` : `Suspend trading of ${user.email}?`}</DialogTitle>
          <DialogContent>
            <DialogContentText>
              {suspended
                ? 'Their new orders are accepted again.'
                : 'Their new orders are refused in every market until you lift this; they can still cancel orders and use their wallet.'}
            </DialogContentText>
            {!suspended && (
              <FormControlLabel
                control={<Checkbox checked={cancelOrders} onChange={(e) => setCancelOrders(e.target.checked)} />}
                label="Also cancel all their open orders now"
              />
            )}
            <ProblemAlert problem={error} />
          </DialogContent>
          <DialogActions>
            <Button onClick={() => setOpen(false)}>Keep as is</Button>
            <Button variant="contained" color={suspended ? 'primary' : 'warning'} disabled={isLoading} onClick={() => void confirm()}>
              {suspended ? 'Resume trading' : 'Suspend trading'}
            </Button>
          </DialogActions>
        </Dialog>
      )}
    </>
  );
}
