namespace Coinage.Domain.Ledger;

public enum AccountKind : byte
{
    /// <summary>A user's spendable funds.</summary>
    Available = 0,

    /// <summary>A user's funds reserved for open orders and pending withdrawals.</summary>
    Held = 1,

    /// <summary>The outside world (one per asset): deposits come from it, withdrawals go to it. Its balance is negative.</summary>
    External = 2,

    /// <summary>Fees the exchange has earned (one per asset).</summary>
    Fees = 3,
}

/// <summary>
/// A ledger account: (owner, asset, kind). Users own Available and Held accounts; the system
/// (owner <see cref="SystemOwner"/>) owns one External and one Fees account per asset.
/// </summary>
public readonly record struct AccountId
{
    public const long SystemOwner = 0;

    private AccountId(long owner, Asset asset, AccountKind kind)
    {
        Owner = owner;
        Asset = asset;
        Kind = kind;
    }

    public long Owner { get; }

    public Asset Asset { get; }

    public AccountKind Kind { get; }

    public bool IsSystem => Kind is AccountKind.External or AccountKind.Fees;

    public static AccountId Available(long owner, Asset asset) => User(owner, asset, AccountKind.Available);

    public static AccountId Held(long owner, Asset asset) => User(owner, asset, AccountKind.Held);

    public static AccountId External(Asset asset) => new(SystemOwner, NotNull(asset), AccountKind.External);

    public static AccountId Fees(Asset asset) => new(SystemOwner, NotNull(asset), AccountKind.Fees);

    public override string ToString() => IsSystem ? $"{Kind}:{Asset}" : $"{Owner}:{Asset}:{Kind}";

    private static AccountId User(long owner, Asset asset, AccountKind kind)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(owner);
        return new AccountId(owner, NotNull(asset), kind);
    }

    private static Asset NotNull(Asset asset)
    {
        ArgumentNullException.ThrowIfNull(asset);
        return asset;
    }
}
