using System.Globalization;
using Elastic.Clients.Elasticsearch.Analysis;
using Elastic.Clients.Elasticsearch.IndexManagement;
using Elastic.Clients.Elasticsearch.Mapping;

namespace Coinage.Domain.Search;

/// <summary>
/// The three search indices. Each is an alias (<c>coinage-audit</c>, …) over a versioned index
/// (<c>coinage-audit-20261124093000000</c>) created from an index template with explicit, strict
/// mappings, so a reindex builds the next version beside the live one and swaps the alias atomically.
/// </summary>
public sealed record SearchIndex(string Alias, Func<Properties> Properties)
{
    /// <summary>The versioned index names the template applies to.</summary>
    public string Pattern => $"{Alias}-*";

    public string NewVersion(DateTimeOffset now) =>
        $"{Alias}-{now.UtcDateTime.ToString("yyyyMMddHHmmssfff", CultureInfo.InvariantCulture)}";

    /// <summary><c>PUT /_index_template/{Alias}</c>.</summary>
    public PutIndexTemplateRequest Template() => new(Alias)
    {
        IndexPatterns = Elastic.Clients.Elasticsearch.Indices.Index(Pattern),
        Priority = 200,
        Template = new IndexTemplateMapping
        {
            Settings = new IndexSettings
            {
                NumberOfShards = 1,
                // One node locally and in the StatefulSet: replicas would never be assigned (yellow).
                NumberOfReplicas = 0,
                Analysis = new IndexSettingsAnalysis
                {
                    // Splits "auth.sign_in_failed" and JSON details into words; the standard
                    // tokenizer would keep "auth.sign_in_failed" as one token.
                    Analyzers = new Analyzers { { SearchIndices.WordsAnalyzer, new CustomAnalyzer { Tokenizer = SearchIndices.WordsAnalyzer, Filter = ["lowercase"] } } },
                    Tokenizers = new Tokenizers { { SearchIndices.WordsAnalyzer, new PatternTokenizer { Pattern = "[^\\p{L}\\p{N}@]+" } } },
                },
            },
            // An unknown field is a bug in our document types, not something to guess a type for.
            Mappings = new TypeMapping { Dynamic = DynamicMapping.Strict, Properties = Properties() },
        },
    };
}

public static class SearchIndices
{
    public const string WordsAnalyzer = "coinage_words";

    public static readonly SearchIndex Audit = new("coinage-audit", () => new Properties
    {
        { "sequence", new LongNumberProperty() },
        { "occurredAt", new DateProperty() },
        { "action", new KeywordProperty { Fields = new Properties { { "text", Words() } } } },
        { "actorUserId", new KeywordProperty() },
        { "subjectUserId", new KeywordProperty() },
        { "ipAddress", new KeywordProperty() },
        { "data", Words() },
        { "hash", Stored() },
    });

    public static readonly SearchIndex Orders = new("coinage-orders", () => new Properties
    {
        { "seq", new LongNumberProperty() },
        { "userId", new KeywordProperty() },
        { "id", new KeywordProperty() },
        { "clientOrderId", new KeywordProperty() },
        { "market", new KeywordProperty() },
        { "side", new KeywordProperty() },
        { "type", new KeywordProperty() },
        { "timeInForce", new KeywordProperty() },
        { "postOnly", new BooleanProperty() },
        { "status", new KeywordProperty() },
        // Money stays a decimal string (never a double); shown, not searched.
        { "price", Stored() },
        { "quantity", Stored() },
        { "quoteAmount", Stored() },
        { "filledQuantity", Stored() },
        { "filledQuote", Stored() },
        { "averagePrice", Stored() },
        { "fee", Stored() },
        { "holdAsset", new KeywordProperty() },
        { "remainingHold", Stored() },
        { "createdAt", new DateProperty() },
        { "updatedAt", new DateProperty() },
        // Added after the first indices were built: SearchReindexer.EnsureMappingsAsync adds it to those.
        { "closeReason", new KeywordProperty() },
        { "triggerPrice", Stored() },
        { "ocoPartnerId", new KeywordProperty() },
    });

    public static readonly SearchIndex Fills = new("coinage-fills", () => new Properties
    {
        { "seq", new LongNumberProperty() },
        { "userId", new KeywordProperty() },
        { "id", new KeywordProperty() },
        { "orderId", new KeywordProperty() },
        { "market", new KeywordProperty() },
        { "side", new KeywordProperty() },
        { "liquidity", new KeywordProperty() },
        { "price", Stored() },
        { "quantity", Stored() },
        { "quoteAmount", Stored() },
        { "fee", Stored() },
        { "feeAsset", new KeywordProperty() },
        { "createdAt", new DateProperty() },
    });

    public static readonly IReadOnlyList<SearchIndex> All = [Audit, Orders, Fills];

    private static TextProperty Words() => new() { Analyzer = WordsAnalyzer };

    private static KeywordProperty Stored() => new() { Index = false };
}
