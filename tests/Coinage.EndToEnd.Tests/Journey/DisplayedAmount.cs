using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Coinage.EndToEnd.Tests.Journey;

/// <summary>
/// Patterns that recognise an exact amount however a page formats it: "30000", "30,000.00",
/// "$30,000", "0.01000000 BTC" all show the same value, while "30,000.5" or "130000" do not.
/// The journey checks values, not the front end's formatting choices.
/// </summary>
internal static class DisplayedAmount
{
    // Thousands separators the front end may use: comma, narrow no-break space, no-break space, space.
    private const string GroupSeparator = "[,\u202F\u00A0 ]?";

    // Playwright hands these to the browser as JavaScript RegExps: only syntax both engines share, no RegexOptions.

    /// <summary>The amount anywhere in a text (an order book, a trade tape, a toast).</summary>
    public static Regex Within(decimal amount) =>
        new($@"(?<![\d.,]){Number(amount)}(?![\d]|[.,]\d)");

    /// <summary>A text (a table cell) that shows only this amount, with at most a symbol or asset code around it.</summary>
    public static Regex Exactly(decimal amount) =>
        new($@"^[^\d]*{Number(amount)}[^\d]*$");

    /// <summary>A text (a table cell) that shows exactly these digits, to the asset's precision ("0.01000000"), with at most a symbol or asset code around it.</summary>
    public static Regex AsShown(string digits) =>
        new($@"^[^\d]*{Regex.Escape(digits)}[^\d]*$");

    private static string Number(decimal amount)
    {
        if (amount < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(amount), "The journey only displays non-negative amounts.");
        }
        var text = amount.ToString("0.############################", CultureInfo.InvariantCulture);
        var point = text.IndexOf('.', StringComparison.Ordinal);
        var integer = point < 0 ? text : text[..point];
        var fraction = point < 0 ? "" : text[(point + 1)..];

        var pattern = new StringBuilder();
        for (var i = 0; i < integer.Length; i++)
        {
            if (i > 0 && (integer.Length - i) % 3 == 0)
            {
                pattern.Append(GroupSeparator);
            }
            pattern.Append(integer[i]);
        }
        // Trailing zeros are a display choice ("0.01" or "0.01000000"); a whole number may show none.
        pattern.Append(fraction.Length == 0 ? @"(?:\.0+)?" : $@"\.{fraction}0*");
        return pattern.ToString();
    }
}
