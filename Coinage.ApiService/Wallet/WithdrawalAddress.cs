using System.Numerics;
using System.Text.RegularExpressions;

namespace Coinage.ApiService.Wallet;

/// <summary>
/// Format checks of a withdrawal address per asset (docs/exchange.md, Funding). They catch typos and
/// pasted garbage; they are not a proof that the destination exists.
/// </summary>
public static partial class WithdrawalAddress
{
    public const int MaxLength = 128;

    public static bool TryNormalize(string asset, string? address, out string normalized, out string error)
    {
        ArgumentNullException.ThrowIfNull(asset);
        normalized = "";
        error = "";
        var value = address?.Trim() ?? "";
        if (value.Length == 0)
        {
            error = "This field is required.";
            return false;
        }
        if (value.Length > MaxLength)
        {
            error = $"An address has at most {MaxLength} characters.";
            return false;
        }
        switch (asset)
        {
            case "BTC":
                if (!BitcoinBech32().IsMatch(value) && !BitcoinLegacy().IsMatch(value))
                {
                    error = "Not a Bitcoin address: bc1… (bech32, lower case) or 1…/3… (base58, 26 to 35 characters).";
                    return false;
                }
                normalized = value;
                return true;
            case "ETH":
                if (!Ethereum().IsMatch(value))
                {
                    error = "Not an Ethereum address: 0x followed by 40 hexadecimal digits.";
                    return false;
                }
                normalized = value.ToLowerInvariant();
                return true;
            case "USD":
                var iban = value.Replace(" ", "", StringComparison.Ordinal).ToUpperInvariant();
                if (!Iban().IsMatch(iban) || !IbanChecksumIsValid(iban))
                {
                    error = "Not a valid IBAN (two letters, two check digits, 11 to 30 letters or digits).";
                    return false;
                }
                normalized = iban;
                return true;
            default:
                if (!Generic().IsMatch(value))
                {
                    error = "An address is 8 to 128 letters, digits or the characters . _ : -";
                    return false;
                }
                normalized = value;
                return true;
        }
    }

    /// <summary>ISO 13616: move the first four characters to the end, letters to 10–35, the number mod 97 is 1.</summary>
    private static bool IbanChecksumIsValid(string iban)
    {
        var rearranged = iban[4..] + iban[..4];
        var digits = string.Concat(rearranged.Select(c => char.IsAsciiDigit(c) ? c.ToString() : (c - 'A' + 10).ToString(System.Globalization.CultureInfo.InvariantCulture)));
        return BigInteger.Parse(digits, System.Globalization.CultureInfo.InvariantCulture) % 97 == 1;
    }

    [GeneratedRegex("^bc1[ac-hj-np-z02-9]{11,71}$")]
    private static partial Regex BitcoinBech32();

    [GeneratedRegex("^[13][1-9A-HJ-NP-Za-km-z]{25,34}$")]
    private static partial Regex BitcoinLegacy();

    [GeneratedRegex("^0x[0-9a-fA-F]{40}$")]
    private static partial Regex Ethereum();

    [GeneratedRegex("^[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}$")]
    private static partial Regex Iban();

    [GeneratedRegex("^[A-Za-z0-9._:-]{8,128}$")]
    private static partial Regex Generic();
}
