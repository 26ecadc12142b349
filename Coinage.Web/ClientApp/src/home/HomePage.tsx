import { useAppSelector } from '../app/hooks';
import { selectSessionStatus } from '../features/auth/authSlice';
import { VisitorHome } from '../features/home/VisitorHome';
import { PortfolioOverview } from '../features/portfolio/PortfolioOverview';

/** `/`: a visitor sees the markets and a way in; a signed-in trader sees their portfolio (sign-in lands here). */
export function HomePage() {
  const status = useAppSelector(selectSessionStatus);
  return status === 'signedIn' ? <PortfolioOverview /> : <VisitorHome />;
}
