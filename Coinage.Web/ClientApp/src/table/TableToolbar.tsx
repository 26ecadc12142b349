import DensityLargeIcon from '@mui/icons-material/DensityLarge';
import DensityMediumIcon from '@mui/icons-material/DensityMedium';
import DensitySmallIcon from '@mui/icons-material/DensitySmall';
import ViewColumnIcon from '@mui/icons-material/ViewColumn';
import ListItemIcon from '@mui/material/ListItemIcon';
import Menu from '@mui/material/Menu';
import MenuItem from '@mui/material/MenuItem';
import Tooltip from '@mui/material/Tooltip';
import { ColumnsPanelTrigger, gridDensitySelector, type GridDensity, Toolbar, ToolbarButton, useGridApiContext, useGridSelector } from '@mui/x-data-grid';
import { useId, useState } from 'react';

const densities: { value: GridDensity; label: string; icon: typeof DensitySmallIcon }[] = [
  { value: 'compact', label: 'Compact', icon: DensitySmallIcon },
  { value: 'standard', label: 'Standard', icon: DensityMediumIcon },
  { value: 'comfortable', label: 'Comfortable', icon: DensityLargeIcon },
];

/**
 * The lists' toolbar: column choice and density, nothing else. The grid's own filters, quick search and CSV
 * would work on the page in the browser only; the lists filter and export on the server instead.
 */
export function TableToolbar() {
  const apiRef = useGridApiContext();
  const density = useGridSelector(apiRef, gridDensitySelector);
  const [anchor, setAnchor] = useState<HTMLElement | null>(null);
  const menuId = useId();
  const Current = densities.find((d) => d.value === density)?.icon ?? DensityMediumIcon;
  return (
    <Toolbar>
      <Tooltip title="Columns">
        <ColumnsPanelTrigger render={<ToolbarButton aria-label="Columns" />}>
          <ViewColumnIcon fontSize="small" />
        </ColumnsPanelTrigger>
      </Tooltip>
      <Tooltip title="Density">
        <ToolbarButton
          aria-label="Density"
          aria-haspopup="menu"
          aria-controls={anchor ? menuId : undefined}
          aria-expanded={anchor ? 'true' : undefined}
          onClick={(event) => setAnchor(event.currentTarget)}
        >
          <Current fontSize="small" />
        </ToolbarButton>
      </Tooltip>
      <Menu id={menuId} anchorEl={anchor} open={anchor !== null} onClose={() => setAnchor(null)}>
        {densities.map(({ value, label, icon: Icon }) => (
          <MenuItem
            key={value}
            selected={value === density}
            onClick={() => {
              apiRef.current.setDensity(value);
              setAnchor(null);
            }}
          >
            <ListItemIcon>
              <Icon fontSize="small" />
            </ListItemIcon>
            {label}
          </MenuItem>
        ))}
      </Menu>
    </Toolbar>
  );
}
