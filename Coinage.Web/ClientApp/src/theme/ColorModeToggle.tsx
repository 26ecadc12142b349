import DarkModeIcon from '@mui/icons-material/DarkMode';
import LightModeIcon from '@mui/icons-material/LightMode';
import IconButton from '@mui/material/IconButton';
import Tooltip from '@mui/material/Tooltip';
import { useAppDispatch, useAppSelector } from '../app/hooks';
import { selectColorMode, toggleColorMode } from './colorModeSlice';

export function ColorModeToggle() {
  const mode = useAppSelector(selectColorMode);
  const dispatch = useAppDispatch();
  const label = mode === 'light' ? 'Switch to dark mode' : 'Switch to light mode';
  return (
    <Tooltip title={label}>
      <IconButton color="inherit" aria-label={label} onClick={() => dispatch(toggleColorMode())}>
        {mode === 'light' ? <DarkModeIcon /> : <LightModeIcon />}
      </IconButton>
    </Tooltip>
  );
}
