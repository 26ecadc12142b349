namespace Coinage.Domain.Data;

/// <summary>
/// Span names in the shape OpenTelemetry's database conventions ask for, "{operation} {namespace}"
/// (e.g. "SELECT coinagedb"), without parsing SQL: the first keyword after leading comments.
/// </summary>
internal static class SqlSpanName
{
    public static string For(string? commandText, string? database)
    {
        var operation = FirstKeyword(commandText);
        return (operation, database) switch
        {
            ({ } op, { Length: > 0 } db) => $"{op} {db}",
            ({ } op, _) => op,
            (null, { Length: > 0 } db) => db,
            _ => "postgresql",
        };
    }

    private static string? FirstKeyword(string? sql)
    {
        var text = sql.AsSpan();
        while (true)
        {
            text = text.TrimStart();
            if (text.StartsWith("--", StringComparison.Ordinal))
            {
                var endOfLine = text.IndexOf('\n');
                if (endOfLine < 0)
                {
                    return null;
                }
                text = text[(endOfLine + 1)..];
                continue;
            }
            break;
        }
        var length = 0;
        while (length < text.Length && char.IsAsciiLetter(text[length]))
        {
            length++;
        }
        return length == 0 ? null : text[..length].ToString().ToUpperInvariant();
    }
}
