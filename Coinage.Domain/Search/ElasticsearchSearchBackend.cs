using System.Globalization;
using System.Text.Json.Nodes;
using Coinage.Domain.Search.Elasticsearch;

namespace Coinage.Domain.Search;

/// <summary>Search through the indices' aliases. Filters go in <c>filter</c> (cached, unscored); results are newest first by sequence.</summary>
public sealed class ElasticsearchSearchBackend(IElasticsearchClient client) : ISearchBackend
{
    public const string BackendName = "elasticsearch";

    public string Name => BackendName;

    public async Task<AuditSearchResult> SearchAuditAsync(AuditSearchQuery query, CancellationToken cancellationToken)
    {
        var response = await client.SearchAsync<AuditDocument>(SearchIndices.Audit.Alias, AuditQuery(query), cancellationToken).ConfigureAwait(false);
        var items = response.Hits.Take(query.Size).Select(h => h.Source).ToList();
        return new AuditSearchResult(items, response.Hits.Count > query.Size ? items[^1].DocumentId : null,
            [.. response.TermsBuckets("actions").Select(b => new ActionCount(b.Key, b.DocCount))]);
    }

    public async Task<SearchPage<OrderDocument>> SearchOrdersAsync(OrderSearchQuery query, CancellationToken cancellationToken)
    {
        var response = await client.SearchAsync<OrderDocument>(SearchIndices.Orders.Alias, OrdersQuery(query), cancellationToken).ConfigureAwait(false);
        var items = response.Hits.Take(query.Size).Select(h => h.Source).ToList();
        return new SearchPage<OrderDocument>(items, response.Hits.Count > query.Size ? items[^1].Seq.ToString(CultureInfo.InvariantCulture) : null);
    }

    public async Task<SearchPage<FillDocument>> SearchFillsAsync(FillSearchQuery query, CancellationToken cancellationToken)
    {
        var response = await client.SearchAsync<FillDocument>(SearchIndices.Fills.Alias, FillsQuery(query), cancellationToken).ConfigureAwait(false);
        var items = response.Hits.Take(query.Size).Select(h => h.Source).ToList();
        return new SearchPage<FillDocument>(items, response.Hits.Count > query.Size ? items[^1].Seq.ToString(CultureInfo.InvariantCulture) : null);
    }

    /// <summary>
    /// The cursor is a <c>post_filter</c>, so the action counts are those of the whole search, not of
    /// the page; one hit more than the page tells whether there is a next one.
    /// </summary>
    public static JsonObject AuditQuery(AuditSearchQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        var filter = new JsonArray();
        if (query.Actions.Count > 0)
        {
            filter.Add(Terms("action", query.Actions));
        }
        AddTimeRange(filter, "occurredAt", query.From, query.To);
        var must = new JsonArray();
        if (!string.IsNullOrWhiteSpace(query.Text))
        {
            var text = query.Text.Trim();
            var exact = Guid.TryParse(text, out var user) ? user.ToString("D") : text;
            var should = new JsonArray
            {
                Term("actorUserId", exact),
                Term("subjectUserId", exact),
                Term("ipAddress", text),
            };
            if (SearchText.Words(text) is { Count: > 0 } words)
            {
                // cross_fields + and: every word in the action or the details, as the fallback does.
                should.Add(new JsonObject
                {
                    ["multi_match"] = new JsonObject
                    {
                        ["query"] = string.Join(' ', words),
                        ["fields"] = new JsonArray("action.text", "data"),
                        ["type"] = "cross_fields",
                        ["operator"] = "and",
                    },
                });
            }
            must.Add(new JsonObject { ["bool"] = new JsonObject { ["should"] = should, ["minimum_should_match"] = 1 } });
        }
        var body = new JsonObject
        {
            ["size"] = query.Size + 1,
            ["track_total_hits"] = false,
            ["sort"] = new JsonArray(new JsonObject { ["sequence"] = "desc" }),
            ["query"] = new JsonObject { ["bool"] = new JsonObject { ["filter"] = filter, ["must"] = must } },
            ["aggs"] = new JsonObject
            {
                ["actions"] = new JsonObject { ["terms"] = new JsonObject { ["field"] = "action", ["size"] = AuditSearchQuery.ActionBuckets } },
            },
        };
        if (query.Before is { } before)
        {
            body["post_filter"] = Range("sequence", "lt", before);
        }
        return body;
    }

    public static JsonObject OrdersQuery(OrderSearchQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        var filter = new JsonArray { Term("userId", query.UserId.ToString("D")) };
        if (query.Market is not null)
        {
            filter.Add(Term("market", query.Market));
        }
        if (query.Side is not null)
        {
            filter.Add(Term("side", query.Side));
        }
        if (query.Statuses.Count > 0)
        {
            filter.Add(Terms("status", query.Statuses));
        }
        AddTimeRange(filter, "createdAt", query.From, query.To);
        if (!string.IsNullOrWhiteSpace(query.Text))
        {
            var text = query.Text.Trim();
            filter.Add(new JsonObject
            {
                ["bool"] = new JsonObject { ["should"] = new JsonArray(Term("id", text), Term("clientOrderId", text)), ["minimum_should_match"] = 1 },
            });
        }
        if (query.Before is { } before)
        {
            filter.Add(Range("seq", "lt", before));
        }
        return Page(filter, query.Size);
    }

    public static JsonObject FillsQuery(FillSearchQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        var filter = new JsonArray { Term("userId", query.UserId.ToString("D")) };
        if (query.Market is not null)
        {
            filter.Add(Term("market", query.Market));
        }
        if (query.Side is not null)
        {
            filter.Add(Term("side", query.Side));
        }
        if (query.Liquidity is not null)
        {
            filter.Add(Term("liquidity", query.Liquidity));
        }
        AddTimeRange(filter, "createdAt", query.From, query.To);
        if (query.Before is { } before)
        {
            filter.Add(Range("seq", "lt", before));
        }
        return Page(filter, query.Size);
    }

    private static JsonObject Page(JsonArray filter, int size) => new()
    {
        ["size"] = size + 1,
        ["track_total_hits"] = false,
        ["sort"] = new JsonArray(new JsonObject { ["seq"] = "desc" }),
        ["query"] = new JsonObject { ["bool"] = new JsonObject { ["filter"] = filter } },
    };

    private static void AddTimeRange(JsonArray filter, string field, DateTimeOffset? from, DateTimeOffset? to)
    {
        if (from is null && to is null)
        {
            return;
        }
        var range = new JsonObject();
        if (from is { } f)
        {
            range["gte"] = Timestamp(f);
        }
        if (to is { } t)
        {
            range["lt"] = Timestamp(t);
        }
        filter.Add(new JsonObject { ["range"] = new JsonObject { [field] = range } });
    }

    private static string Timestamp(DateTimeOffset value) =>
        value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);

    private static JsonObject Term(string field, string value) => new() { ["term"] = new JsonObject { [field] = value } };

    private static JsonObject Terms(string field, IEnumerable<string> values) =>
        new() { ["terms"] = new JsonObject { [field] = new JsonArray([.. values.Select(v => (JsonNode)JsonValue.Create(v))]) } };

    private static JsonObject Range(string field, string op, long value) =>
        new() { ["range"] = new JsonObject { [field] = new JsonObject { [op] = value } } };
}
