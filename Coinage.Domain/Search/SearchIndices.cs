using System.Globalization;
using System.Text.Json.Nodes;

namespace Coinage.Domain.Search;

/// <summary>
/// The three search indices. Each is an alias (<c>coinage-audit</c>, …) over a versioned index
/// (<c>coinage-audit-20261124093000000</c>) created from an index template with explicit, strict
/// mappings, so a reindex builds the next version beside the live one and swaps the alias atomically.
/// </summary>
public sealed record SearchIndex(string Alias, JsonObject Properties)
{
    /// <summary>The versioned index names the template applies to.</summary>
    public string Pattern => $"{Alias}-*";

    public string NewVersion(DateTimeOffset now) =>
        $"{Alias}-{now.UtcDateTime.ToString("yyyyMMddHHmmssfff", CultureInfo.InvariantCulture)}";

    /// <summary>The body of <c>PUT /_index_template/{Alias}</c>.</summary>
    public JsonObject Template() => new()
    {
        ["index_patterns"] = new JsonArray(Pattern),
        ["priority"] = 200,
        ["template"] = new JsonObject
        {
            ["settings"] = new JsonObject
            {
                ["number_of_shards"] = 1,
                // One node locally and in the StatefulSet: replicas would never be assigned (yellow).
                ["number_of_replicas"] = 0,
                ["analysis"] = new JsonObject
                {
                    // Splits "auth.sign_in_failed" and JSON details into words; the standard
                    // tokenizer would keep "auth.sign_in_failed" as one token.
                    ["analyzer"] = new JsonObject
                    {
                        ["coinage_words"] = new JsonObject { ["type"] = "custom", ["tokenizer"] = "coinage_words", ["filter"] = new JsonArray("lowercase") },
                    },
                    ["tokenizer"] = new JsonObject
                    {
                        ["coinage_words"] = new JsonObject { ["type"] = "pattern", ["pattern"] = "[^\\p{L}\\p{N}@]+" },
                    },
                },
            },
            ["mappings"] = new JsonObject
            {
                // An unknown field is a bug in our document types, not something to guess a type for.
                ["dynamic"] = "strict",
                ["properties"] = Properties.DeepClone(),
            },
        },
    };
}

public static class SearchIndices
{
    public static readonly SearchIndex Audit = new("coinage-audit", new JsonObject
    {
        ["sequence"] = Long(),
        ["occurredAt"] = Date(),
        ["action"] = new JsonObject { ["type"] = "keyword", ["fields"] = new JsonObject { ["text"] = Words() } },
        ["actorUserId"] = Keyword(),
        ["subjectUserId"] = Keyword(),
        ["ipAddress"] = Keyword(),
        ["data"] = Words(),
        ["hash"] = Stored(),
    });

    public static readonly SearchIndex Orders = new("coinage-orders", new JsonObject
    {
        ["seq"] = Long(),
        ["userId"] = Keyword(),
        ["id"] = Keyword(),
        ["clientOrderId"] = Keyword(),
        ["market"] = Keyword(),
        ["side"] = Keyword(),
        ["type"] = Keyword(),
        ["timeInForce"] = Keyword(),
        ["postOnly"] = new JsonObject { ["type"] = "boolean" },
        ["status"] = Keyword(),
        // Money stays a decimal string (never a double); shown, not searched.
        ["price"] = Stored(),
        ["quantity"] = Stored(),
        ["quoteAmount"] = Stored(),
        ["filledQuantity"] = Stored(),
        ["filledQuote"] = Stored(),
        ["averagePrice"] = Stored(),
        ["fee"] = Stored(),
        ["holdAsset"] = Keyword(),
        ["remainingHold"] = Stored(),
        ["createdAt"] = Date(),
        ["updatedAt"] = Date(),
        // Added after the first indices were built: SearchReindexer.EnsureMappingsAsync adds it to those.
        ["closeReason"] = Keyword(),
    });

    public static readonly SearchIndex Fills = new("coinage-fills", new JsonObject
    {
        ["seq"] = Long(),
        ["userId"] = Keyword(),
        ["id"] = Keyword(),
        ["orderId"] = Keyword(),
        ["market"] = Keyword(),
        ["side"] = Keyword(),
        ["liquidity"] = Keyword(),
        ["price"] = Stored(),
        ["quantity"] = Stored(),
        ["quoteAmount"] = Stored(),
        ["fee"] = Stored(),
        ["feeAsset"] = Keyword(),
        ["createdAt"] = Date(),
    });

    public static readonly IReadOnlyList<SearchIndex> All = [Audit, Orders, Fills];

    private static JsonObject Keyword() => new() { ["type"] = "keyword" };

    private static JsonObject Long() => new() { ["type"] = "long" };

    private static JsonObject Date() => new() { ["type"] = "date" };

    private static JsonObject Words() => new() { ["type"] = "text", ["analyzer"] = "coinage_words" };

    private static JsonObject Stored() => new() { ["type"] = "keyword", ["index"] = false };
}
