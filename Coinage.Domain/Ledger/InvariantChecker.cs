using System.Runtime.InteropServices;

namespace Coinage.Domain.Ledger;

/// <summary>Funds a user's Held balance must cover: an open order's remaining hold or a pending withdrawal.</summary>
public readonly record struct HeldFunds(long Owner, Asset Asset, decimal Amount, string Reference)
{
    public static HeldFunds ForOrder(OrderLedgerState order)
    {
        ArgumentNullException.ThrowIfNull(order);
        return new HeldFunds(order.Owner, order.HoldAsset, order.RemainingHold, $"order {order.OrderId}");
    }

    public static HeldFunds ForWithdrawal(long withdrawalId, long owner, Asset asset, decimal amount) =>
        new(owner, asset, amount, $"withdrawal {withdrawalId}");
}

public enum DiscrepancyKind : byte
{
    /// <summary>An asset's postings do not sum to zero: money was created or destroyed.</summary>
    UnbalancedAsset = 1,

    /// <summary>An account's stored balance differs from the sum of its postings.</summary>
    BalanceMismatch = 2,

    /// <summary>A user's Held balance differs from the holds of their open orders and pending withdrawals.</summary>
    HeldMismatch = 3,

    /// <summary>A user or fee account is below zero.</summary>
    NegativeBalance = 4,

    /// <summary>An open order or pending withdrawal claims a negative amount.</summary>
    NegativeHold = 5,

    /// <summary>A posting has more decimals than its asset keeps.</summary>
    OffGridPosting = 6,
}

public readonly record struct LedgerDiscrepancy(DiscrepancyKind Kind, string Subject, decimal Expected, decimal Actual)
{
    public override string ToString() => $"{Kind} {Subject}: expected {Expected}, actual {Actual}";
}

/// <summary>
/// Checks the ledger invariants of DESIGN.md §2 over a full snapshot (tests after every command; the
/// Worker's reconciliation job over the database). Returns every discrepancy found, empty when healthy,
/// so a report names all that is wrong rather than the first thing.
/// </summary>
public static class InvariantChecker
{
    /// <param name="postings">Every posting ever made.</param>
    /// <param name="balances">The stored balance of every account (absent = 0).</param>
    /// <param name="held">The remaining holds of open orders and the amounts of pending withdrawals.</param>
    public static IReadOnlyList<LedgerDiscrepancy> Check(
        IEnumerable<Posting> postings, IReadOnlyDictionary<AccountId, decimal> balances, IEnumerable<HeldFunds> held)
    {
        ArgumentNullException.ThrowIfNull(postings);
        ArgumentNullException.ThrowIfNull(balances);
        ArgumentNullException.ThrowIfNull(held);
        var found = new List<LedgerDiscrepancy>();

        var perAccount = new Dictionary<AccountId, decimal>();
        var perAsset = new Dictionary<Asset, decimal>();
        foreach (var posting in postings)
        {
            if (!posting.Account.Asset.IsOnGrid(posting.Amount))
            {
                found.Add(new(DiscrepancyKind.OffGridPosting, posting.ToString(), posting.Account.Asset.RoundUp(posting.Amount), posting.Amount));
            }

            CollectionsMarshal.GetValueRefOrAddDefault(perAccount, posting.Account, out _) += posting.Amount;
            CollectionsMarshal.GetValueRefOrAddDefault(perAsset, posting.Account.Asset, out _) += posting.Amount;
        }

        foreach (var (asset, sum) in perAsset)
        {
            if (sum != 0)
            {
                found.Add(new(DiscrepancyKind.UnbalancedAsset, asset.Code, 0, sum));
            }
        }

        foreach (var (account, sum) in perAccount)
        {
            var balance = balances.GetValueOrDefault(account);
            if (balance != sum)
            {
                found.Add(new(DiscrepancyKind.BalanceMismatch, account.ToString(), sum, balance));
            }
        }

        foreach (var (account, balance) in balances)
        {
            if (!perAccount.ContainsKey(account) && balance != 0)
            {
                found.Add(new(DiscrepancyKind.BalanceMismatch, account.ToString(), 0, balance));
            }

            if (balance < 0 && account.Kind != AccountKind.External)
            {
                found.Add(new(DiscrepancyKind.NegativeBalance, account.ToString(), 0, balance));
            }
        }

        var claimed = new Dictionary<AccountId, decimal>();
        foreach (var claim in held)
        {
            if (claim.Amount < 0)
            {
                found.Add(new(DiscrepancyKind.NegativeHold, $"{claim.Reference} of {claim.Owner} in {claim.Asset}", 0, claim.Amount));
            }

            CollectionsMarshal.GetValueRefOrAddDefault(claimed, AccountId.Held(claim.Owner, claim.Asset), out _) += claim.Amount;
        }

        foreach (var (account, amount) in claimed)
        {
            var balance = balances.GetValueOrDefault(account);
            if (balance != amount)
            {
                found.Add(new(DiscrepancyKind.HeldMismatch, account.ToString(), amount, balance));
            }
        }

        foreach (var (account, balance) in balances)
        {
            if (account.Kind == AccountKind.Held && balance != 0 && !claimed.ContainsKey(account))
            {
                found.Add(new(DiscrepancyKind.HeldMismatch, account.ToString(), 0, balance));
            }
        }

        return found;
    }
}
