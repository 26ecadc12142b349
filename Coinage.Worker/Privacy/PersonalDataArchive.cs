using System.Data.Common;
using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using Coinage.Domain.Data;
using Coinage.Domain.Privacy;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;

namespace Coinage.Worker.Privacy;

/// <summary>
/// Builds the zip of everything held about one user: <c>data/{table}.json</c> for every table of
/// <see cref="PersonalDataMap"/> (all columns except secrets, as PostgreSQL's own JSON of the row),
/// <c>csv/orders.csv</c>, <c>csv/trades.csv</c> and <c>csv/ledger.csv</c> for spreadsheets,
/// a <c>manifest.json</c> with the row counts and a README.
/// </summary>
public static class PersonalDataArchive
{
    private static readonly JsonWriterOptions Indented = new() { Indented = true };

    public static async Task<byte[]> BuildAsync(CoinageDbContext db, Guid userId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        var owner = await db.Traders.Where(t => t.UserId == userId).Select(t => (long?)t.OwnerId).FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false) ?? -1;
        var connection = db.Database.GetDbConnection();
        if (connection.State != System.Data.ConnectionState.Open)
        {
            await db.Database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        }
        using var buffer = new MemoryStream();
        var counts = new List<(string Table, int Rows, string? Csv)>();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var table in PersonalDataMap.Tables)
            {
                var rows = await ReadRowsAsync(connection, db, table, userId, owner, cancellationToken).ConfigureAwait(false);
                await WriteEntryAsync(zip, $"data/{table.Table}.json", stream =>
                {
                    using var writer = new Utf8JsonWriter(stream, Indented);
                    writer.WriteStartArray();
                    foreach (var row in rows)
                    {
                        row.WriteTo(writer);
                    }
                    writer.WriteEndArray();
                }).ConfigureAwait(false);
                if (table.CsvName is { } csv)
                {
                    await WriteEntryAsync(zip, $"csv/{csv}.csv", stream => WriteCsv(stream, rows)).ConfigureAwait(false);
                }
                counts.Add((table.Table, rows.Count, table.CsvName));
            }
            await WriteEntryAsync(zip, "manifest.json", stream =>
            {
                using var writer = new Utf8JsonWriter(stream, Indented);
                writer.WriteStartObject();
                writer.WriteString("userId", userId.ToString());
                writer.WriteString("generatedAt", now.UtcDateTime.ToString("O", CultureInfo.InvariantCulture));
                writer.WriteStartArray("tables");
                foreach (var (table, rows, csv) in counts)
                {
                    writer.WriteStartObject();
                    writer.WriteString("table", table);
                    writer.WriteNumber("rows", rows);
                    writer.WriteString("json", $"data/{table}.json");
                    if (csv is not null)
                    {
                        writer.WriteString("csv", $"csv/{csv}.csv");
                    }
                    writer.WriteEndObject();
                }
                writer.WriteEndArray();
                writer.WriteEndObject();
            }).ConfigureAwait(false);
            await WriteEntryAsync(zip, "README.txt", stream =>
            {
                var text = """
                    Everything Coinage holds about you, as of the time in manifest.json.

                    data/<table>.json  every row about you in each of our tables, all columns, as stored
                                       (amounts are exact decimals; times are UTC). Left out: secrets that
                                       grant access (password hash, token and code hashes, 2FA secret).
                    csv/orders.csv     your orders, csv/trades.csv your trades (as taker or maker),
                    csv/ledger.csv     every posting to your balances, for spreadsheets.

                    What each item is, why we keep it and for how long: see the privacy policy
                    (docs/privacy.md in the Coinage repository).
                    """;
                stream.Write(Encoding.UTF8.GetBytes(text.ReplaceLineEndings("\r\n")));
            }).ConfigureAwait(false);
        }
        return buffer.ToArray();
    }

    private static async Task<List<JsonElement>> ReadRowsAsync(
        DbConnection connection, CoinageDbContext db, PersonalTable table, Guid userId, long owner, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
        // Table, filter and projection are constants of PersonalDataMap, never input; the values are parameters.
        command.CommandText = $"SELECT ({table.Projection})::text FROM {table.Table} t WHERE {table.Filter} ORDER BY {table.OrderBy}";
        command.Parameters.Add(new NpgsqlParameter("user", userId));
        command.Parameters.Add(new NpgsqlParameter("owner", owner));
        var rows = new List<JsonElement>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            using var document = JsonDocument.Parse(reader.GetString(0));
            rows.Add(document.RootElement.Clone());
        }
        return rows;
    }

    private static async Task WriteEntryAsync(ZipArchive zip, string name, Action<Stream> write)
    {
        var entry = zip.CreateEntry(name, CompressionLevel.Optimal);
        await using var stream = entry.Open();
        write(stream);
    }

    /// <summary>RFC 4180: a header of the columns, values quoted when they need it; numbers exactly as stored.</summary>
    internal static void WriteCsv(Stream stream, IReadOnlyList<JsonElement> rows)
    {
        var columns = rows.SelectMany(r => r.EnumerateObject().Select(p => p.Name)).Distinct(StringComparer.Ordinal).ToList();
        using var writer = new StreamWriter(stream, new UTF8Encoding(false), leaveOpen: true) { NewLine = "\r\n" };
        writer.WriteLine(string.Join(',', columns.Select(Quote)));
        foreach (var row in rows)
        {
            writer.WriteLine(string.Join(',', columns.Select(c => Quote(row.TryGetProperty(c, out var value) ? Text(value) : ""))));
        }
    }

    private static string Text(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Null or JsonValueKind.Undefined => "",
        JsonValueKind.String => value.GetString() ?? "",
        _ => value.GetRawText(),
    };

    private static string Quote(string value)
    {
        // A leading = + - @ would make a spreadsheet run the cell as a formula.
        var safe = value.Length > 0 && value[0] is '=' or '+' or '@' or '\t' or '\r' || (value.StartsWith('-') && !decimal.TryParse(value, NumberStyles.Number, CultureInfo.InvariantCulture, out _))
            ? "'" + value
            : value;
        return safe.IndexOfAny([',', '"', '\r', '\n']) >= 0 ? "\"" + safe.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : safe;
    }
}
