namespace Coinage.Domain.Ledger;

/// <summary>One line of a journal entry: <see cref="Amount"/> is added to the account's balance (negative = taken out).</summary>
public readonly record struct Posting(AccountId Account, decimal Amount)
{
    public override string ToString() => $"{Account} {Amount:+0.##################;-0.##################}";
}

public enum JournalEntryKind : byte
{
    /// <summary>External → Available. Reference: the deposit.</summary>
    Deposit = 1,

    /// <summary>Available → Held, the amount and the withdrawal fee. Reference: the withdrawal.</summary>
    WithdrawalRequest = 2,

    /// <summary>Held → External (the amount) and Held → Fees (the withdrawal fee). Reference: the withdrawal.</summary>
    WithdrawalCompletion = 3,

    /// <summary>Held → Available, the amount and the fee. Reference: the withdrawal.</summary>
    WithdrawalRejection = 4,

    /// <summary>Available → Held when an order is placed. Reference: the order.</summary>
    OrderHold = 5,

    /// <summary>Held → Available for what an order no longer needs. Reference: the order.</summary>
    HoldRelease = 6,

    /// <summary>Both sides of one trade and its fees. Reference: the taker order (the maker is in <see cref="SettledTrade"/>).</summary>
    TradeSettlement = 7,
}

/// <summary>
/// A balanced set of postings: per asset they sum to zero, so money is only ever moved, never
/// created or lost. The constructor enforces it, so an unbalanced entry cannot exist.
/// </summary>
public sealed class JournalEntry
{
    public JournalEntry(JournalEntryKind kind, long referenceId, IEnumerable<Posting> postings)
    {
        ArgumentNullException.ThrowIfNull(postings);
        if (!Enum.IsDefined(kind))
        {
            throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown journal entry kind.");
        }

        var lines = postings.ToArray();
        if (lines.Length < 2)
        {
            throw new ArgumentException("A journal entry moves money between at least two accounts.", nameof(postings));
        }

        foreach (var line in lines)
        {
            if (line.Account.Asset is null)
            {
                throw new ArgumentException("A posting needs an account.", nameof(postings));
            }

            if (line.Amount == 0)
            {
                throw new ArgumentException($"Zero posting to {line.Account}: leave it out.", nameof(postings));
            }

            if (!line.Account.Asset.IsOnGrid(line.Amount))
            {
                throw new ArgumentException(
                    $"Posting {line} has more than {line.Account.Asset.Precision} decimals.", nameof(postings));
            }
        }

        foreach (var group in lines.GroupBy(p => p.Account.Asset))
        {
            var sum = group.Sum(p => p.Amount);
            if (sum != 0)
            {
                throw new ArgumentException(
                    $"{kind} #{referenceId} is unbalanced: {group.Key} postings sum to {sum}.", nameof(postings));
            }
        }

        Kind = kind;
        ReferenceId = referenceId;
        Postings = lines;
    }

    public JournalEntryKind Kind { get; }

    /// <summary>What the entry is about: a deposit, withdrawal or order id, depending on <see cref="Kind"/>.</summary>
    public long ReferenceId { get; }

    public IReadOnlyList<Posting> Postings { get; }

    /// <summary>Two postings moving <paramref name="amount"/> (&gt; 0) from one account to another of the same asset.</summary>
    public static JournalEntry Move(JournalEntryKind kind, long referenceId, AccountId from, AccountId to, decimal amount)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(amount);
        return new JournalEntry(kind, referenceId, [new Posting(from, -amount), new Posting(to, amount)]);
    }

    public override string ToString() => $"{Kind} #{ReferenceId}: {string.Join(", ", Postings)}";
}
