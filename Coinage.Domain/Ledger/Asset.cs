namespace Coinage.Domain.Ledger;

/// <summary>
/// A currency or coin and the number of decimals the ledger keeps for it. Every amount that is
/// posted to the ledger is a whole multiple of <see cref="Unit"/>; nothing finer ever reaches a
/// balance, so balances never carry dust that no one can withdraw.
/// </summary>
public sealed record Asset
{
    /// <summary>Largest amount accepted at the edges (10^15): far above any real order, far below the
    /// 20 integer digits of a <c>numeric(38,18)</c> column and <see cref="decimal"/>'s 28 digits.</summary>
    public const decimal MaxAmount = 1_000_000_000_000_000m;

    /// <summary>Most decimals any asset may have: a <c>numeric(38,18)</c> column holds them exactly.</summary>
    public const int MaxPrecision = 18;

    public static readonly Asset Btc = new("BTC", 8);
    public static readonly Asset Eth = new("ETH", 8);
    public static readonly Asset Usd = new("USD", 2);

    public Asset(string code, int precision)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(code);
        ArgumentOutOfRangeException.ThrowIfNegative(precision);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(precision, MaxPrecision);
        if (code.Length > 12 || !code.All(c => c is >= 'A' and <= 'Z' or >= '0' and <= '9'))
        {
            throw new ArgumentException($"Asset code '{code}' must be 1 to 12 upper-case letters or digits.", nameof(code));
        }

        Code = code;
        Precision = precision;
        Unit = 1m / Pow10(precision);
    }

    public string Code { get; }

    /// <summary>Decimals kept: 8 for BTC (satoshis), 2 for USD (cents).</summary>
    public int Precision { get; }

    /// <summary>The smallest amount: 10^-<see cref="Precision"/>.</summary>
    public decimal Unit { get; }

    /// <summary>True when <paramref name="amount"/> has no more decimals than the asset keeps (trailing zeros do not count).</summary>
    public bool IsOnGrid(decimal amount) => decimal.Round(amount, Precision) == amount;

    /// <summary>Validates an amount coming from outside (a deposit, a withdrawal, an order's budget).</summary>
    public bool TryValidateAmount(decimal amount, out string? error)
    {
        error = amount <= 0 ? $"The {Code} amount must be positive."
            : amount > MaxAmount ? $"The {Code} amount must be at most {MaxAmount}."
            : !IsOnGrid(amount) ? $"The {Code} amount may have at most {Precision} decimals."
            : null;
        return error is null;
    }

    /// <summary>Returns <paramref name="amount"/> when <see cref="TryValidateAmount"/> accepts it; throws otherwise.</summary>
    public decimal ValidateAmount(decimal amount) => TryValidateAmount(amount, out var error)
        ? amount
        : throw new ArgumentOutOfRangeException(nameof(amount), amount, error);

    /// <summary>
    /// Rounds up (toward +∞) to the asset's precision. Fees use it: the exchange never under-charges.
    /// <see cref="MidpointRounding.ToPositiveInfinity"/> is directed rounding, not a midpoint rule.
    /// </summary>
    public decimal RoundUp(decimal amount) => decimal.Round(amount, Precision, MidpointRounding.ToPositiveInfinity);

    // Assets are dictionary keys of every balance: compare the code and precision only, not the derived unit.
    public bool Equals(Asset? other) =>
        ReferenceEquals(this, other) || (other is not null && Precision == other.Precision && string.Equals(Code, other.Code, StringComparison.Ordinal));

    public override int GetHashCode() => HashCode.Combine(Code, Precision);

    public override string ToString() => Code;

    internal static decimal Pow10(int exponent)
    {
        var result = 1m;
        for (var i = 0; i < exponent; i++)
        {
            result *= 10;
        }

        return result;
    }
}
