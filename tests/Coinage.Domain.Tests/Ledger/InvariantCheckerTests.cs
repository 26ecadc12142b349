using Coinage.Domain.Ledger;
using Coinage.Domain.Matching;

namespace Coinage.Domain.Tests.Ledger;

public sealed class InvariantCheckerTests
{
    /// <summary>A small healthy ledger: deposits, an open buy, a pending withdrawal and a trade with fees.</summary>
    private static LedgerHarness Healthy()
    {
        var h = new LedgerHarness(Markets.BtcUsd());
        h.Deposit(1, Asset.Usd, 10_000m);
        h.Deposit(2, Asset.Btc, 1m);
        h.Place(PlaceOrder.Limit(1, 2, Side.Sell, 50_000, 5));
        h.Place(PlaceOrder.Limit(2, 1, Side.Buy, 50_000, 8));
        h.RequestWithdrawal(1, Asset.Usd, 100m);
        return h;
    }

    private static IReadOnlyList<LedgerDiscrepancy> Check(TestLedger ledger, IEnumerable<HeldFunds>? held = null) =>
        InvariantChecker.Check(ledger.Postings, ledger.Balances,
            held ?? ledger.Orders.Values.Where(o => !o.IsDone).Select(HeldFunds.ForOrder).Concat(ledger.PendingWithdrawals.Values));

    [Fact]
    public void A_healthy_ledger_has_no_discrepancy()
    {
        var h = Healthy();
        Assert.True(h.Ledger.Held(1, Asset.Usd) > 100m);
        Assert.True(h.Ledger.Fees(Asset.Usd) > 0m);
        Assert.Empty(Check(h.Ledger));
    }

    [Fact]
    public void An_empty_ledger_is_healthy() =>
        Assert.Empty(InvariantChecker.Check([], new Dictionary<AccountId, decimal>(), []));

    [Fact]
    public void A_balance_that_differs_from_its_postings_is_reported()
    {
        var h = Healthy();
        var account = AccountId.Available(1, Asset.Usd);
        var before = h.Ledger.Balances[account];
        h.Ledger.Balances[account] = before + 0.01m;
        var found = Assert.Single(Check(h.Ledger));
        Assert.Equal(new LedgerDiscrepancy(DiscrepancyKind.BalanceMismatch, account.ToString(), before, before + 0.01m), found);
    }

    [Fact]
    public void A_balance_without_postings_is_reported()
    {
        var h = Healthy();
        h.Ledger.Balances[AccountId.Available(7, Asset.Eth)] = 5m;
        Assert.Equal(DiscrepancyKind.BalanceMismatch, Assert.Single(Check(h.Ledger)).Kind);
    }

    [Fact]
    public void Money_created_out_of_nothing_is_reported_per_asset()
    {
        var h = Healthy();
        // A one-sided posting (as a buggy writer could insert), with its balance kept in step.
        var account = AccountId.Available(1, Asset.Btc);
        h.Ledger.Postings.Add(new Posting(account, 0.5m));
        h.Ledger.Balances[account] = h.Ledger.Balance(account) + 0.5m;
        Assert.Equal(new LedgerDiscrepancy(DiscrepancyKind.UnbalancedAsset, "BTC", 0, 0.5m), Assert.Single(Check(h.Ledger)));
    }

    [Fact]
    public void Held_funds_that_no_order_or_withdrawal_claims_are_reported()
    {
        var h = Healthy();
        var claims = h.Ledger.Orders.Values.Where(o => !o.IsDone).Select(HeldFunds.ForOrder).ToList();
        // The pending withdrawal is forgotten: its 100.00 is held for nothing.
        var found = Assert.Single(Check(h.Ledger, claims));
        Assert.Equal(DiscrepancyKind.HeldMismatch, found.Kind);
        Assert.Equal(100m, found.Actual - found.Expected);

        // Held funds in an account no claim mentions at all.
        var h2 = Healthy();
        var btcHeld = AccountId.Held(1, Asset.Btc);
        h2.Ledger.Apply(LedgerOperations.Deposit(9, 1, Asset.Btc, 1m));
        h2.Ledger.Apply(LedgerOperations.RequestWithdrawal(9, 1, Asset.Btc, 1m));
        var orphan = Assert.Single(Check(h2.Ledger));
        Assert.Equal(new LedgerDiscrepancy(DiscrepancyKind.HeldMismatch, btcHeld.ToString(), 0, 1m), orphan);
    }

    [Fact]
    public void Negative_balances_and_holds_are_reported()
    {
        var account = AccountId.Available(1, Asset.Usd);
        var postings = new[] { new Posting(AccountId.External(Asset.Usd), 5m), new Posting(account, -5m) };
        var balances = new Dictionary<AccountId, decimal> { [AccountId.External(Asset.Usd)] = 5m, [account] = -5m };
        var found = InvariantChecker.Check(postings, balances, [new HeldFunds(3, Asset.Usd, -1m, "order 9")]);
        Assert.Contains(new LedgerDiscrepancy(DiscrepancyKind.NegativeBalance, account.ToString(), 0, -5m), found);
        Assert.Contains(found, d => d.Kind == DiscrepancyKind.NegativeHold);
        // The claimed -1 against a Held balance of 0 is a mismatch as well; External may be negative, but is not here.
        Assert.Contains(found, d => d.Kind == DiscrepancyKind.HeldMismatch);
        Assert.Equal(3, found.Count);
    }

    [Fact]
    public void Off_grid_postings_are_reported()
    {
        var a = AccountId.Available(1, Asset.Usd);
        var b = AccountId.Available(2, Asset.Usd);
        var found = InvariantChecker.Check([new(a, 0.001m), new(b, -0.001m)],
            new Dictionary<AccountId, decimal> { [a] = 0.001m, [b] = -0.001m }, []);
        Assert.Equal(2, found.Count(d => d.Kind == DiscrepancyKind.OffGridPosting));
        Assert.Contains(found, d => d.Kind == DiscrepancyKind.NegativeBalance);
    }

    [Fact]
    public void Every_problem_is_listed_not_just_the_first()
    {
        var h = Healthy();
        h.Ledger.Balances[AccountId.Available(1, Asset.Usd)] += 1m;
        h.Ledger.Balances[AccountId.Available(2, Asset.Usd)] += 1m;
        h.Ledger.Balances[AccountId.Fees(Asset.Usd)] = -1m;
        var found = Check(h.Ledger);
        Assert.Equal(3, found.Count(d => d.Kind == DiscrepancyKind.BalanceMismatch));
        Assert.Single(found, d => d.Kind == DiscrepancyKind.NegativeBalance);
    }
}
